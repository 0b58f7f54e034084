/**
 * One side of a chat on a STREAM stream: the lines heard from the peer and the lines said to it,
 * as one Observable of events, plus the ticket that tells a guest where to connect.
 *
 * @example
 * ```ts
 * converse(stream, () => stdinLines$).subscribe((event) => console.log(event.kind, event.text));
 * ```
 */
import { type Observable, concatMap, defer, endWith, last, map, merge, share } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import { encodeLine, splitLines } from './lines';

/** Something that happened in the conversation. */
export type ChatEvent =
  /** A line arrived from the peer. */
  | { readonly kind: 'heard'; readonly text: string }
  /** A line of ours reached the peer (it acknowledged every byte). */
  | { readonly kind: 'said'; readonly text: string }
  /** The peer closed the stream: nothing more will be heard. */
  | { readonly kind: 'closed' };

/**
 * Runs a conversation on `stream`. `lines` gets the heard lines (a script may answer them) and
 * returns what to say; each line is sent after the previous one was acknowledged, so `said`
 * events come in order and mean "arrived".
 *
 * @param stream - the chat's stream (one bidirectional stream carries both directions)
 * @param lines - from the heard lines to the lines to say
 * @returns heard, said and closed events; completes once both directions are done
 *
 * @example
 * ```ts
 * converse(stream, (heard$) => heard$.pipe(map((text) => `you said: ${text}`))).subscribe(console.log);
 * ```
 */
export function converse(stream: DataAndMoneyStream, lines: (heard$: Observable<string>) => Observable<string>): Observable<ChatEvent> {
  return defer(() => {
    // Shared: the script and the transcript both listen, but data$ hands each byte out once.
    const heard$ = stream.data$.pipe(splitLines(), share());
    const said$ = lines(heard$).pipe(
      concatMap((text) =>
        stream.sendData(encodeLine(text)).pipe(
          last(null, null),
          map((): ChatEvent => ({ kind: 'said', text })),
        ),
      ),
    );
    const heardEvents$ = heard$.pipe(
      map((text): ChatEvent => ({ kind: 'heard', text })),
      endWith<ChatEvent>({ kind: 'closed' }),
    );
    return merge(heardEvents$, said$);
  });
}

/** Where a guest connects and the STREAM credentials it needs: what an SPSP lookup would return. */
export interface Ticket {
  readonly btpUrl: string;
  readonly destinationAccount: string;
  readonly sharedSecret: Buffer;
}

/**
 * The ticket as one copy-pasteable word (base64url JSON).
 *
 * @example
 * ```ts
 * const word = encodeTicket({ btpUrl: network.clientUrl, ...server.generateAddressAndSecret() });
 * ```
 */
export function encodeTicket(ticket: Ticket): string {
  const json = JSON.stringify({ ...ticket, sharedSecret: ticket.sharedSecret.toString('base64') });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Reads a ticket made by {@link encodeTicket}; throws a TypeError naming what is wrong.
 *
 * @example
 * ```ts
 * const { btpUrl, destinationAccount, sharedSecret } = decodeTicket(process.argv[3] ?? '');
 * ```
 */
export function decodeTicket(word: string): Ticket {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(Buffer.from(word.trim(), 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new TypeError('ticket: not a chat ticket (copy the whole word the host printed)');
  }
  const { btpUrl, destinationAccount, sharedSecret } = fields ?? {};
  if (typeof btpUrl !== 'string' || !/^btp\+wss?:\/\//.test(btpUrl)) throw new TypeError('ticket: btpUrl must be a btp+ws:// URL');
  if (typeof destinationAccount !== 'string' || destinationAccount.length === 0) throw new TypeError('ticket: destinationAccount is missing');
  const secret = typeof sharedSecret === 'string' ? Buffer.from(sharedSecret, 'base64') : Buffer.alloc(0);
  if (secret.length !== 32) throw new TypeError('ticket: sharedSecret must be 32 bytes of base64');
  return { btpUrl, destinationAccount, sharedSecret: secret };
}
