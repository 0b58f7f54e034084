import { map, mergeMap, type Observable, share, takeUntil, timer } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  deserializeIlpReply,
  type IncomingPrepare,
  incomingPrepares,
  type IlpPrepare,
  isIlpArgumentError,
  isIlpPluginError,
  rejectF06,
  rejectF99,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';
import { type FakeObservablePlugin, fakePlugin, observablePlugin } from './fake-plugin';

const prepare: IlpPrepare = {
  amount: 5n,
  expiresAt: new Date('2030-01-01T00:00:00.000Z'),
  executionCondition: Buffer.alloc(32, 3),
  destination: 'test.server.abc',
  data: Buffer.from('stream packet'),
};

async function codeOf(reply: Promise<Buffer>): Promise<string> {
  const decoded = deserializeIlpReply(await reply);
  return decoded.type === IlpPacketType.Reject ? decoded.code : 'fulfill';
}

describe('incomingPrepares: handler lifecycle', () => {
  it('registers the data handler on subscribe and deregisters it on unsubscribe, not before', () => {
    const plugin = fakePlugin();
    const prepares$ = incomingPrepares(plugin);
    expect(plugin.registrations).toBe(0);
    const subscription = prepares$.subscribe();
    expect([plugin.registrations, plugin.deregistrations, typeof plugin.handler]).toEqual([1, 0, 'function']);
    subscription.unsubscribe();
    expect([plugin.registrations, plugin.deregistrations, plugin.handler]).toEqual([1, 1, undefined]);
  });

  it('errors with IlpPluginError REGISTER_HANDLER_FAILED when the plugin refuses a second handler', () => {
    const plugin = fakePlugin();
    incomingPrepares(plugin).subscribe();
    let failure: unknown;
    incomingPrepares(plugin).subscribe({ error: (error: unknown) => (failure = error) });
    expect(isIlpPluginError(failure, 'REGISTER_HANDLER_FAILED')).toBe(true);
    expect((failure as Error).cause).toEqual(new Error('a handler is already registered'));
  });

  it('lets several consumers share one registration through share()', () => {
    const plugin = fakePlugin();
    const shared$ = incomingPrepares(plugin).pipe(share());
    const seen: string[] = [];
    shared$.subscribe(() => seen.push('a'));
    shared$.subscribe(({ respond }) => {
      seen.push('b');
      respond(rejectF06());
    });
    void plugin.handler!(serializeIlpPrepare(prepare));
    expect([plugin.registrations, seen]).toEqual([1, ['a', 'b']]);
  });

  it('refuses a plugin without the handler methods, naming the argument', () => {
    let caught: unknown;
    try {
      incomingPrepares({ sendData: () => Promise.resolve(Buffer.alloc(0)) } as never);
    } catch (error) {
      caught = error;
    }
    expect(isIlpArgumentError(caught) && caught.argument).toBe('plugin');
  });
});

describe('incomingPrepares: answering', () => {
  it('emits the decoded Prepare and resolves the handler with the serialized reply', async () => {
    const plugin = fakePlugin();
    const seen: IncomingPrepare[] = [];
    incomingPrepares(plugin).subscribe((incoming) => {
      seen.push(incoming);
      incoming.respond(rejectF99(Buffer.from('reply')));
    });
    const reply = await plugin.handler!(serializeIlpPrepare(prepare));
    expect(seen.map((incoming) => incoming.prepare)).toEqual([prepare]);
    expect(reply.equals(serializeIlpReply(rejectF99(Buffer.from('reply'))))).toBe(true);
  });

  it('waits for an asynchronous respond', async () => {
    const plugin = fakePlugin();
    let later: IncomingPrepare | undefined;
    incomingPrepares(plugin).subscribe((incoming) => (later = incoming));
    const reply = plugin.handler!(serializeIlpPrepare(prepare));
    setTimeout(() => later!.respond(rejectF06()), 5);
    expect(await codeOf(reply)).toBe('F06');
  });

  it('keeps the first respond and ignores later ones', async () => {
    const plugin = fakePlugin();
    incomingPrepares(plugin).subscribe(({ respond }) => {
      respond(rejectF06());
      respond(rejectF99(Buffer.alloc(0)));
    });
    expect(await codeOf(plugin.handler!(serializeIlpPrepare(prepare)))).toBe('F06');
  });

  it('throws IlpArgumentError for a reply that cannot be serialized, leaving the Prepare open for a valid one', async () => {
    const plugin = fakePlugin();
    let thrown: unknown;
    incomingPrepares(plugin).subscribe(({ respond }) => {
      try {
        respond({ ...rejectF06(), code: 'nope' });
      } catch (error) {
        thrown = error;
      }
      respond(rejectF99(Buffer.alloc(0)));
    });
    expect(await codeOf(plugin.handler!(serializeIlpPrepare(prepare)))).toBe('F99');
    expect(isIlpArgumentError(thrown)).toBe(true);
  });

  it('answers data that is not a valid Prepare with F00 and emits nothing', async () => {
    const plugin = fakePlugin();
    const seen: IncomingPrepare[] = [];
    incomingPrepares(plugin).subscribe((incoming) => seen.push(incoming));
    expect(await codeOf(plugin.handler!(Buffer.from([12, 1, 0])))).toBe('F00');
    expect(await codeOf(plugin.handler!(Buffer.alloc(0)))).toBe('F00');
    expect(await codeOf(plugin.handler!('junk' as unknown as Buffer))).toBe('F00');
    expect(seen).toEqual([]);
  });

  it('answers T00 to every Prepare still unanswered when the subscription ends', async () => {
    const plugin = fakePlugin();
    const subscription = incomingPrepares(plugin).subscribe();
    const handler = plugin.handler!;
    const first = handler(serializeIlpPrepare(prepare));
    const second = handler(serializeIlpPrepare(prepare));
    subscription.unsubscribe();
    expect([await codeOf(first), await codeOf(second)]).toEqual(['T00', 'T00']);
  });

  it('ignores a respond that comes after the subscription ended', async () => {
    const plugin = fakePlugin();
    let late: IncomingPrepare | undefined;
    const subscription = incomingPrepares(plugin).subscribe((incoming) => (late = incoming));
    const reply = plugin.handler!(serializeIlpPrepare(prepare));
    subscription.unsubscribe();
    late!.respond(rejectF06());
    expect(await codeOf(reply)).toBe('T00');
  });

  it('answers T00 when an error in the consumer pipeline ends the subscription', async () => {
    const plugin = fakePlugin();
    let failure: unknown;
    incomingPrepares(plugin)
      .pipe(
        map(() => {
          throw new Error('consumer bug');
        }),
      )
      .subscribe({ error: (error: unknown) => (failure = error) });
    const pending = plugin.handler!(serializeIlpPrepare(prepare));
    expect(await codeOf(pending)).toBe('T00');
    expect(failure).toEqual(new Error('consumer bug'));
    expect(plugin.handler).toBeUndefined();
  });

  it('answers T00 to a packet the plugin delivers after deregistration', async () => {
    const plugin = fakePlugin();
    const subscription = incomingPrepares(plugin).subscribe();
    const stale = plugin.handler!;
    subscription.unsubscribe();
    expect(await codeOf(stale(serializeIlpPrepare(prepare)))).toBe('T00');
  });
});

describe('incomingPrepares on an ObservablePlugin: answers without a Promise', () => {
  const replyTo = (plugin: FakeObservablePlugin, data: Buffer = serializeIlpPrepare(prepare)): Observable<string> =>
    plugin.observableHandler!(data).pipe(map((bytes) => {
      const reply = deserializeIlpReply(bytes);
      return reply.type === IlpPacketType.Reject ? reply.code : 'fulfill';
    }));

  it('registers an Observable handler, not a Promise one, and deregisters it on unsubscribe', () => {
    const plugin = observablePlugin();
    const subscription = incomingPrepares(plugin).subscribe();
    expect([typeof plugin.observableHandler, plugin.handler]).toEqual(['function', undefined]);
    subscription.unsubscribe();
    expect([plugin.observableHandler, plugin.deregistrations]).toEqual([undefined, 1]);
  });

  it('answers synchronously, before subscribe returns, when respond is called inside next', () => {
    const plugin = observablePlugin();
    incomingPrepares(plugin).subscribe(({ respond }) => respond(rejectF06()));
    const codes: string[] = [];
    replyTo(plugin).subscribe((code) => codes.push(code));
    expect(codes).toEqual(['F06']);
  });

  it(
    'emits each Prepare when the plugin subscribes to its reply, and answers at the frame respond is called',
    marbles((m) => {
      const plugin = observablePlugin();
      const seen: number[] = [];
      incomingPrepares(plugin)
        .pipe(mergeMap(({ respond }) => {
          seen.push(m.scheduler.now());
          return timer(7, m.scheduler).pipe(map(() => respond(rejectF99(Buffer.alloc(0)))));
        }))
        .subscribe();
      const trigger = m.cold('- 2ms a|');
      const codes = trigger.pipe(mergeMap(() => replyTo(plugin)));
      m.expect(codes).toBeObservable('- 2ms - 6ms (c|)', { c: 'F99' });
      m.expect(trigger).toHaveSubscriptions('^ 3ms !');
      m.flush();
      expect(seen).toEqual([3]);
    }),
  );

  it(
    'answers T00 at the frame the consumer unsubscribes, to every Prepare still open',
    marbles((m) => {
      const plugin = observablePlugin();
      const consumer = m.cold('- 9ms x');
      const subscription = incomingPrepares(plugin).pipe(takeUntil(consumer)).subscribe();
      m.expect(replyTo(plugin)).toBeObservable('- 9ms (t|)', { t: 'T00' });
      m.expect(consumer).toHaveSubscriptions('^ 9ms !');
      m.flush();
      expect(subscription.closed).toBe(true);
    }),
  );

  it('ignores a respond that comes after the plugin stopped waiting, and does not answer it at the end', () => {
    const plugin = observablePlugin();
    let late: IncomingPrepare | undefined;
    const subscription = incomingPrepares(plugin).subscribe((incoming) => (late = incoming));
    const codes: string[] = [];
    replyTo(plugin).subscribe((code) => codes.push(code)).unsubscribe();
    late!.respond(rejectF06());
    subscription.unsubscribe();
    expect(codes).toEqual([]);
  });

  it('answers F00 for bytes that are not a Prepare, and T00 once nobody listens, both synchronously', () => {
    const plugin = observablePlugin();
    const subscription = incomingPrepares(plugin).subscribe();
    const handler = plugin.observableHandler!;
    subscription.unsubscribe();
    const codes: string[] = [];
    const code = (bytes: Buffer): string => {
      const reply = deserializeIlpReply(bytes);
      return reply.type === IlpPacketType.Reject ? reply.code : 'fulfill';
    };
    handler(Buffer.from([12, 1, 0])).subscribe((bytes) => codes.push(code(bytes)));
    expect(codes).toEqual(['T00']);
    const fresh = observablePlugin();
    incomingPrepares(fresh).subscribe();
    fresh.observableHandler!(Buffer.from([12, 1, 0])).subscribe((bytes) => codes.push(code(bytes)));
    expect(codes).toEqual(['T00', 'F00']);
  });
});
