import snapshot from '../../../resources/pricing/gpu_ml_instance_prices.json';
import { PriceCatalogue } from './catalogue';

let cached: PriceCatalogue | undefined;

/** The catalogue built from the snapshot shipped in resources/pricing (bundled; parsed and validated on first use). */
export function shippedCatalogue(): PriceCatalogue {
  cached ??= PriceCatalogue.fromSnapshot(snapshot);
  return cached;
}
