/**
 * What a connection learns about its peer in the handshake: the ILP address its packets go to
 * (ConnectionNewAddress, or given to a client) and its asset (ConnectionAssetDetails), which may
 * be told once and never changed (29-4.3.3-c).
 *
 * @example
 * ```ts
 * const remote = new RemotePeer(undefined);     // a server does not know the client yet
 * remote.setAddress('g.wallet.alice');
 * remote.setAssetDetails('USD', 2);           // true: first time
 * remote.setAssetDetails('EUR', 2);           // false: the peer contradicted itself
 * ```
 */
import { isIlpAddress } from '../wire';

/**
 * The peer's address and asset, once known.
 *
 * @example
 * ```ts
 * const remote = new RemotePeer('g.wallet.bob'); // a client knows where it connects to
 * remote.address; // 'g.wallet.bob'
 * remote.asset;   // undefined until the peer sends ConnectionAssetDetails
 * ```
 */
export class RemotePeer {
  private addressValue: string | undefined;
  private assetValue: { readonly code: string; readonly scale: number } | undefined;

  constructor(address: string | undefined) {
    this.addressValue = address;
  }

  /** Where our packets go; undefined until known. */
  get address(): string | undefined {
    return this.addressValue;
  }

  /** The peer's asset code and scale; undefined until it said. */
  get asset(): { readonly code: string; readonly scale: number } | undefined {
    return this.assetValue;
  }

  /** Applies the peer's ConnectionNewAddress. */
  setAddress(address: string): void {
    // '' is a send-only peer (@interledger/pay sends it); anything else must be an ILP address (15-Addr-a, E25).
    if (isIlpAddress(address)) this.addressValue = address;
  }

  /** Applies the peer's ConnectionAssetDetails; false if they contradict what it said before. */
  setAssetDetails(code: string, scale: number): boolean {
    if (this.assetValue) return this.assetValue.code === code && this.assetValue.scale === scale;
    this.assetValue = { code, scale };
    return true;
  }
}
