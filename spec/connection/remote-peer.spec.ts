import { RemotePeer } from '../../lib/connection/remote-peer';

describe('RemotePeer', () => {
  it('keeps the address a client was given; a server learns it from ConnectionNewAddress', () => {
    expect(new RemotePeer('g.wallet.bob').address).toBe('g.wallet.bob');
    const remote = new RemotePeer(undefined);
    expect(remote.address).toBeUndefined();
    remote.setAddress('g.wallet.alice');
    expect(remote.address).toBe('g.wallet.alice');
  });

  it("ignores '' (a send-only peer) and anything that is not an ILP address (E25)", () => {
    const remote = new RemotePeer(undefined);
    remote.setAddress('');
    remote.setAddress('not an address');
    expect(remote.address).toBeUndefined();
  });

  it('takes asset details once; the same again is fine, a change is refused (29-4.3.3-c)', () => {
    const remote = new RemotePeer(undefined);
    expect(remote.asset).toBeUndefined();
    expect(remote.setAssetDetails('USD', 2)).toBe(true);
    expect(remote.setAssetDetails('USD', 2)).toBe(true);
    expect(remote.setAssetDetails('USD', 9)).toBe(false);
    expect(remote.setAssetDetails('EUR', 2)).toBe(false);
    expect(remote.asset).toEqual({ code: 'USD', scale: 2 });
  });
});
