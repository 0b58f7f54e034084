/**
 * Connects a plugin as an Observable. A plugin that is connected, or that connects synchronously
 * (the in-memory plugins), continues on the same tick: no Promise hop, so a whole client or server
 * start-up can run inside a TestScheduler flush. Real plugins (ilp-plugin-btp) resolve later.
 *
 * @example
 * ```ts
 * connectPlugin(plugin).pipe(switchMap(() => fetchIldcp(plugin))).subscribe(console.log);
 * ```
 */
import { Observable, from, of } from 'rxjs';
import type { Plugin } from './plugin';

/**
 * Emits once the plugin is connected, then completes; errors if `connect()` rejects.
 *
 * @example
 * ```ts
 * await firstValueFrom(connectPlugin(plugin));
 * ```
 */
export function connectPlugin(plugin: Plugin): Observable<void> {
  if (plugin.isConnected()) return of(undefined);
  const connecting = plugin.connect();
  if (!plugin.isConnected()) return from(connecting);
  // Connected already: the Promise still settles later; its outcome no longer matters.
  connecting.catch(() => undefined);
  return of(undefined);
}
