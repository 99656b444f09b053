/**
 * A timeout's action, deferred past the next poll phase. After a stall of the event loop (a native
 * ZooKeeper client's close blocks it for up to 1.5 s while a server does not answer), Node runs due
 * timers before the poll phase that would read what already arrived: a connection made, an answer,
 * a script's output. Deciding after that phase means a stall never reads as a timeout.
 */
export function afterPoll(action: () => void): () => void {
  return () => setImmediate(action);
}
