import type * as Server from '@enlets/server';

/**
 * The server package, imported only by the commands that run the server or open its database. Importing it costs
 * about 1.4 s (Fastify, both storage engines, every route), which the scripting client's commands (`login`,
 * `send`, `tail`: what bots and scripts start over and over) would otherwise pay on every start.
 */
let loading: Promise<typeof Server> | undefined;

export function loadServer(): Promise<typeof Server> {
  loading ??= import('@enlets/server');
  return loading;
}

/** The server package if a command has loaded it: errors of its classes can only have come from it then. */
export function loadedServer(): Promise<typeof Server> | undefined {
  return loading;
}
