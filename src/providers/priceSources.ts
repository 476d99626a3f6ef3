import type { Logger } from '../core/ports';
import type { PriceSource } from '../core/pricing/model';
import { AwsPriceSource } from './aws/prices';
import { AzureRetailPrices } from './azure/retailPrices';
import { GcpCatalogPrices } from './gcp/catalog';

/** What the live price sources are built from (the same settings the extension and the CLI read). */
export interface PriceSourcesOptions {
  aws?: { profile: string; region: string; endpoint: string };
  azure?: { retailPricesEndpoint: string };
  gcp?: { projectId: string; endpoint: string; authClient?: unknown };
  log?: Logger;
}

/** One live price source per cloud: AWS Price List + spot history, Azure Retail Prices, GCP Cloud Billing Catalog. */
export function createPriceSources(options: PriceSourcesOptions): PriceSource[] {
  const log = options.log;
  const sources: PriceSource[] = [];
  if (options.aws) sources.push(new AwsPriceSource({ ...options.aws, ...(log ? { log } : {}) }));
  if (options.azure) sources.push(new AzureRetailPrices({ endpoint: options.azure.retailPricesEndpoint, ...(log ? { log } : {}) }));
  if (options.gcp) sources.push(new GcpCatalogPrices({ ...options.gcp, ...(log ? { log } : {}) }));
  return sources;
}
