/**
 * The scripted conversation `npm run example:chat` plays between its two peers, and the turn
 * taking: each peer says its next line only once it has heard every line the other said before
 * it, so the transcript at each end is fixed however the packets are timed.
 *
 * @example
 * ```ts
 * const said$ = scriptedLines('host', heard$); // the host's lines, each in its turn
 * ```
 */
import { type Observable, from, mergeMap, scan, startWith } from 'rxjs';

/** Who says a line: the host runs the server, the guest connects to it. */
export type Role = 'host' | 'guest';

/** One line of the script. */
export interface ScriptLine {
  readonly from: Role;
  readonly text: string;
}

/**
 * A pasted block longer than one STREAM packet can carry (about 32 KB of data), made of a
 * three-byte character and ASCII, so the packet boundaries fall inside characters too.
 */
const PASTE = '€uro '.repeat(8_000).trimEnd();

/**
 * The conversation: the guest opens the stream, so it speaks first. Two lines in a row from one
 * speaker are sent back to back; the receiver still sees them as two lines.
 */
export const CONVERSATION: readonly ScriptLine[] = [
  { from: 'guest', text: 'hello, is this the STREAM chat?' },
  { from: 'host', text: 'it is: every byte you type travels in ILP packets' },
  { from: 'guest', text: 'encrypted, in order, exactly once?' },
  { from: 'host', text: 'and flow-controlled 👍' },
  { from: 'host', text: 'paste something long' },
  { from: 'guest', text: PASTE },
  { from: 'host', text: `got all ${PASTE.length} characters` },
  { from: 'guest', text: 'bye' },
];

/**
 * The lines `role` says in the script, in order.
 *
 * @example
 * ```ts
 * linesOf('host')[0] // 'it is: every byte you type travels in ILP packets'
 * ```
 */
export function linesOf(role: Role): string[] {
  return CONVERSATION.filter((line) => line.from === role).map((line) => line.text);
}

/**
 * What `role` says, each line once it has heard every earlier line of the other peer.
 *
 * @param role - which side of the script to play
 * @param heard$ - the lines arriving from the other peer
 * @returns the lines to send, in order; completes with `heard$`
 *
 * @example
 * ```ts
 * scriptedLines('guest', heard$).pipe(concatMap((line) => stream.sendData(encodeLine(line)))).subscribe();
 * ```
 */
export function scriptedLines(role: Role, heard$: Observable<string>): Observable<string> {
  const turns = CONVERSATION.map((line, index) => ({
    text: line.text,
    mine: line.from === role,
    heardBefore: CONVERSATION.slice(0, index).filter((earlier) => earlier.from !== role).length,
  })).filter((turn) => turn.mine);
  return heard$.pipe(
    scan((heard) => heard + 1, 0),
    startWith(0),
    mergeMap((heard) => from(turns.filter((turn) => turn.heardBefore === heard).map((turn) => turn.text))),
  );
}
