/**
 * Removes credentials and account identifiers from text bound for logs and error output.
 * PEM private keys; AWS access keys, secrets, session tokens and presigned-URL signatures (`X-Amz-Security-Token`,
 * `X-Amz-Signature`, `X-Amz-Credential`); OAuth `refresh_token` / `access_token` / `client_secret`; Azure `SharedKey`
 * authorisations, storage `AccountKey=` and SAS `sig=`; bearer tokens; secret-named values quoted with spaces inside;
 * GUIDs (Azure subscriptions/tenants; before account ids, whose 12 digits also end a GUID); 12-digit AWS account ids.
 */
const secretNames = 'aws_secret_access_key|aws_session_token|secretAccessKey|SecretAccessKey|sessionToken|SessionToken|client_secret|clientSecret|refresh_token|refreshToken|access_token|accessToken|id_token|private_key|privateKey|password|passwd|api[_-]?key|AccountKey|X-Amz-Security-Token|X-Amz-Signature|X-Amz-Credential|sig';
const patterns: [RegExp, string][] = [
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, '-----BEGIN $1PRIVATE KEY-----***-----END $1PRIVATE KEY-----'],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1****************'],
  // a quoted value may hold spaces: "password": "correct horse battery staple"
  [new RegExp(`((?:${secretNames})["']?\\s*[:=]\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), '$1"***"'],
  [new RegExp(`((?:${secretNames})["']?\\s*[:=]\\s*)'[^']*'`, 'gi'), "$1'***'"],
  [new RegExp(`\\b((?:${secretNames})["']?\\s*[:=]\\s*)[^"'\\s,;&}]+`, 'gi'), '$1***'],
  [/(\bSharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+/g, '$1***'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '********-****-****-****-************'],
  [/\b\d{12}\b/g, '************'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
