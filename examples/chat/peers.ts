/**
 * The two chat peers. The host runs a STREAM server behind BTP on 127.0.0.1 (a small connector
 * from `createBtpNetwork`, ephemeral ports) and prints a ticket; the guest connects with the
 * ticket and opens one stream that carries both directions.
 *
 * Interactive: each stdin line is said; heard lines are printed as `host> …` / `guest> …`.
 * Ctrl-D (end of stdin) leaves: the connection ends after flushing what was typed.
 * Scripted (`--scripted`, what the test and `npm run example:chat` use): the peer plays its part
 * of {@link CONVERSATION} and reports JSON lines to its parent on stdout; the guest reads its
 * ticket from stdin and ends the connection when the script is done; the host quits when its
 * stdin ends.
 *
 * @example
 * ```ts
 * await runHost({ scripted: false }); // prints: npm run example:chat -- join <ticket>
 * ```
 */
import { createInterface } from 'node:readline';
import BtpPlugin from 'ilp-plugin-btp';
import { Observable, filter, lastValueFrom, mergeMap, share, take, takeWhile, tap } from 'rxjs';
import { type Connection, type Plugin, type Server, createBtpNetwork, createConnection, createServer } from '../../lib';
import { readFirstLine, tellParent } from '../btp-payment/processes';
import { type Role, linesOf, scriptedLines } from './conversation';
import { type ChatEvent, converse, decodeTicket, encodeTicket } from './session';

/** How a peer runs. */
export interface PeerOptions {
  /** Play the built-in script and report to the parent process, instead of reading the terminal. */
  readonly scripted: boolean;
}

/** Stdin as lines; completes at end of input (Ctrl-D, or the parent closing the pipe). */
function stdinLines(): Observable<string> {
  return new Observable<string>((subscriber) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => subscriber.next(line));
    lines.on('close', () => subscriber.complete());
    return () => lines.close();
  });
}

/** A line for the terminal: long pastes are shortened, the count says how long they were. */
function display(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 60)}… (${text.length} characters)`;
}

/** Prints (interactive) or records (scripted) what happens; returns the lines heard. */
function recorder(role: Role, options: PeerOptions, leaving: () => boolean = () => false): { heard: string[]; observe: (event: ChatEvent) => void } {
  const other: Role = role === 'host' ? 'guest' : 'host';
  const heard: string[] = [];
  const observe = (event: ChatEvent): void => {
    if (event.kind === 'heard') heard.push(event.text);
    if (options.scripted) {
      if (event.kind !== 'closed') process.stderr.write(`${role}: ${event.kind} ${display(event.text)}\n`);
    } else if (event.kind === 'heard') {
      process.stdout.write(`${other}> ${display(event.text)}\n`);
    } else if (event.kind === 'closed' && !leaving()) {
      process.stdout.write(`(${other} left${role === 'host' ? '; Ctrl-D to quit' : ''})\n`);
    }
  };
  return { heard, observe };
}

/**
 * Hosts a chat for one guest. Resolves with the exit code once stdin ends (Ctrl-D, or the parent
 * closing it), after ending the guest's connection and closing the server and the connector.
 *
 * @example
 * ```ts
 * process.exitCode = await runHost({ scripted: false });
 * ```
 */
export async function runHost(options: PeerOptions): Promise<number> {
  const network = await createBtpNetwork();
  const plugin: Plugin = new BtpPlugin({ server: network.serverUrl });
  try {
    return await hostChat(network.clientUrl, await createServer({ plugin }), options);
  } finally {
    // Whatever happened, the ports are released, so the process can exit.
    await plugin.disconnect();
    await network.close();
  }
}

async function hostChat(btpUrl: string, server: Server, options: PeerOptions): Promise<number> {
  const input$ = stdinLines().pipe(share());
  let guest: Connection | undefined;
  let quitting = false;
  const { heard, observe } = recorder('host', options, () => quitting);
  let failed = false;

  const chat = server.connections$
    .pipe(
      take(1),
      tap((connection) => {
        guest = connection;
        if (!options.scripted) process.stdout.write('(guest joined; type a line and press Enter)\n');
      }),
      mergeMap((connection) => connection.streams$.pipe(take(1))),
      mergeMap((stream) => converse(stream, options.scripted ? (heard$) => scriptedLines('host', heard$) : () => input$)),
      takeWhile((event) => event.kind !== 'closed', true),
    )
    .subscribe({
      next: (event) => {
        observe(event);
        if (event.kind === 'closed' && options.scripted) tellParent({ type: 'transcript', role: 'host', heard });
      },
      error: (error: unknown) => {
        failed = true;
        process.stderr.write(`host: the chat failed: ${String(error)}\n`);
        // The parent waits for a transcript before it tells us to quit: give it what we have.
        if (options.scripted) tellParent({ type: 'transcript', role: 'host', heard, error: String(error) });
      },
    });

  const ticket = encodeTicket({ btpUrl, ...server.generateAddressAndSecret() });
  if (options.scripted) tellParent({ type: 'ticket', ticket });
  else process.stdout.write(`Hosting a chat. In another terminal run:\n\n  npm run example:chat -- join ${ticket}\n\n`);

  // Quit on end of stdin; the typed lines reach the conversation through the same shared input.
  await lastValueFrom(input$, { defaultValue: undefined });
  quitting = true;
  // Flushes what was typed, then closes; the guest sees the close and leaves too.
  await (guest as Connection | undefined)?.end();
  chat.unsubscribe();
  await server.close();
  return failed ? 1 : 0;
}

/**
 * Joins a host's chat with its ticket (scripted: the ticket comes on stdin's first line).
 * Resolves with the exit code once the conversation is over.
 *
 * @example
 * ```ts
 * process.exitCode = await runGuest(ticketWord, { scripted: false });
 * ```
 */
export async function runGuest(ticketWord: string | undefined, options: PeerOptions): Promise<number> {
  const word = ticketWord ?? (options.scripted ? String(await readFirstLine()) : undefined);
  if (word === undefined) throw new TypeError('join needs the ticket the host printed: npm run example:chat -- join <ticket>');
  const ticket = decodeTicket(word);
  const plugin: Plugin = new BtpPlugin({ server: ticket.btpUrl });
  try {
    const connection = await createConnection({ plugin, destinationAccount: ticket.destinationAccount, sharedSecret: ticket.sharedSecret });
    // The guest opens the stream: the host learns of it with the first line.
    const stream = connection.createStream();
    const { heard, observe } = recorder('guest', options);
    if (options.scripted) {
      await playScript(connection, converse(stream, (heard$) => scriptedLines('guest', heard$)), observe);
      tellParent({ type: 'transcript', role: 'guest', heard });
    } else {
      process.stdout.write('(joined; type a line and press Enter, Ctrl-D to leave)\n');
      const input$ = stdinLines().pipe(share());
      // Ctrl-D: end() flushes the lines still on their way, then closes the connection.
      const leaving = input$.subscribe({ complete: () => void connection.end() });
      await lastValueFrom(converse(stream, () => input$).pipe(tap(observe), takeWhile((event) => event.kind !== 'closed')), { defaultValue: undefined });
      leaving.unsubscribe();
      await connection.end();
    }
    return 0;
  } finally {
    await plugin.disconnect();
  }
}

/** Plays the guest's part, then ends the connection once every line was heard and acknowledged. */
async function playScript(connection: Connection, events$: Observable<ChatEvent>, observe: (event: ChatEvent) => void): Promise<void> {
  const expected = { heard: linesOf('host').length, said: linesOf('guest').length };
  const count = { heard: 0, said: 0 };
  const shared$ = events$.pipe(tap(observe), share());
  const done = lastValueFrom(shared$.pipe(takeWhile((event) => event.kind !== 'closed')), { defaultValue: undefined });
  await lastValueFrom(
    shared$.pipe(
      tap((event) => {
        if (event.kind !== 'closed') count[event.kind] += 1;
      }),
      filter(() => count.heard === expected.heard && count.said === expected.said),
      take(1),
    ),
    { defaultValue: undefined },
  );
  await connection.end();
  await done;
}
