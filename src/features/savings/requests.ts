import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { defaultRegions, normalizeRegion } from '../../core/pricing/catalogue';
import type { ComputeResource } from './computeResources';
import type { EstimateRequest } from './estimator';

const MAX_SIBLINGS = 50;
const MAX_SIBLING_BYTES = 512 * 1024;

/** The other Terraform files of a document's folder (open editors first, then disk), for variables and providers. */
export async function siblingTexts(doc: vscode.TextDocument): Promise<Array<{ path: string; text: string }>> {
  if (doc.uri.scheme !== 'file') return [];
  const dir = vscode.Uri.file(nodePath.dirname(doc.uri.fsPath));
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(dir);
  } catch {
    return [];
  }
  const out: Array<{ path: string; text: string }> = [];
  const names = entries.filter(([n, k]) => k === vscode.FileType.File && /\.(tf|tfvars)$/.test(n)).map(([n]) => n).slice(0, MAX_SIBLINGS);
  for (const name of names) {
    const uri = vscode.Uri.joinPath(dir, name);
    if (uri.fsPath === doc.uri.fsPath) continue;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) { out.push({ path: uri.fsPath, text: open.getText() }); continue; }
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_SIBLING_BYTES) continue;
      out.push({ path: uri.fsPath, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
    } catch {
      // unreadable: skip it
    }
  }
  return out;
}

/** The estimate a compute resource asks for, with its region (the provider's default when Terraform does not say). */
export function requestFor(r: ComputeResource, file: string, awsRegion: string): EstimateRequest {
  // one spelling per region ("East US" is "eastus"), so the lens, the report and the CLI name the same region
  const region = normalizeRegion(r.provider, r.region ?? (r.provider === 'aws' ? awsRegion : defaultRegions[r.provider]));
  return {
    instanceType: r.priceAs,
    region,
    subject: `${nodePath.basename(file)}: ${r.address}`,
    notes: [
      ...(r.sagemaker ? [`${r.size} is a SageMaker type, priced here as EC2 ${r.priceAs}; SageMaker's own price is higher.`] : []),
      ...(r.region ? [] : [`${r.address} does not set a region: priced in ${region}.`]),
    ],
  };
}
