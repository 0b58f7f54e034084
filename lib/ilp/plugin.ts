/**
 * The ledger plugin contract (DESIGN.md §2): the part of the Interledger plugin API v2 that STREAM
 * needs. `ilp-plugin-btp`, `ilp-plugin-mini-accounts` and the in-memory network all satisfy it.
 *
 * @example
 * ```ts
 * const plugin: Plugin = new BtpPlugin({ server: 'btp+ws://:secret@localhost:7768' });
 * ```
 */

/**
 * Answers one incoming ILP packet (serialized) with a serialized reply. The promise should
 * resolve with a Fulfill or a Reject; plugins turn a rejection into an error on their side.
 */
export type DataHandler = (data: Buffer) => Promise<Buffer>;

/**
 * A connection to one ILP peer. Packets travel serialized: `sendData` sends a Prepare and resolves
 * with the peer's Fulfill or Reject; the registered data handler answers the peer's Prepares.
 *
 * The event methods are optional: plugins that are event emitters (as `ilp-plugin-btp` is) emit
 * `'connect'` and `'disconnect'` through them. A plugin may also offer its data paths as
 * Observables ({@link ObservablePlugin}, as the in-memory network does), which the ILP layer then
 * prefers, so that packets can move in virtual time.
 *
 * @example
 * ```ts
 * await plugin.connect();
 * plugin.registerDataHandler(async (prepare) => serializeIlpReject(rejectF02()));
 * const reply = await plugin.sendData(serializeIlpPrepare(prepare));
 * ```
 */
export interface Plugin {
  /** Opens the connection to the peer; resolves once packets can flow. */
  connect(): Promise<void>;
  /** Closes the connection to the peer. */
  disconnect(): Promise<void>;
  /** True while connected. */
  isConnected(): boolean;
  /** Sends one serialized Prepare; resolves with the serialized Fulfill or Reject. */
  sendData(data: Buffer): Promise<Buffer>;
  /** Installs the one handler for incoming Prepares; plugins may throw if one is already set. */
  registerDataHandler(handler: DataHandler): void;
  /** Removes the incoming-Prepare handler. */
  deregisterDataHandler(): void;
  /** Subscribes to plugin events such as `'connect'` and `'disconnect'`. */
  on?(event: string, listener: (...args: any[]) => void): unknown;
  /** Unsubscribes a listener added with `on`. */
  off?(event: string, listener: (...args: any[]) => void): unknown;
  /** Unsubscribes a listener added with `on` (the older EventEmitter name). */
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
}
