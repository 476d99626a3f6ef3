/**
 * Removes credentials and account identifiers from text bound for logs.
 * AWS access keys and secrets, bearer tokens, GUIDs (Azure subscriptions/tenants; before account ids, whose
 * 12 digits also end a GUID), 12-digit AWS account ids.
 */
const patterns: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1****************'],
  [/(aws_secret_access_key|secretAccessKey|SecretAccessKey|sessionToken|SessionToken|client_secret|password)(["'\s:=]+)([^"'\s,}]+)/g, '$1$2***'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '********-****-****-****-************'],
  [/\b\d{12}\b/g, '************'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
