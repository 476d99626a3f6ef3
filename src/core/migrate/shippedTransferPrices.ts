import snapshot from '../../../resources/pricing/internet_egress.json';
import { TransferPrices } from './transferPrices';

let cached: TransferPrices | undefined;

/** Egress and storage prices from the snapshot shipped in resources/pricing (bundled; validated on first use). */
export function shippedTransferPrices(): TransferPrices {
  cached ??= TransferPrices.fromSnapshot(snapshot);
  return cached;
}
