// The module resolve hook that reportLoaded.ts registers in a dedupfs process: sends the URL of
// every ES module resolved to reportLoaded.ts's port. Does nothing unless registered.
import type { MessagePort } from 'node:worker_threads';

let port: MessagePort | undefined;

export function initialize(data: { port: MessagePort }): void {
  port = data.port;
}

type Resolved = { url: string };

export async function resolve(specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<Resolved>): Promise<Resolved> {
  const resolved = await next(specifier, context);
  port?.postMessage(resolved.url);
  return resolved;
}
