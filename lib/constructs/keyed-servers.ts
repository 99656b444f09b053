/**
 * The rollout resource records the spec with its server lists keyed by id (`server-<id>`), not as
 * lists: Terraform diffs a list by position, so a migration {1,2,3} -> {3,4,5} would read as
 * "server 1 becomes server 3"; keyed, it reads as servers 1 and 2 removed, 4 and 5 added, 3 unchanged.
 * Pure: what the construct writes and what is read back from a Terraform state.
 */

type Json = Record<string, unknown>;

const KEY_PREFIX = 'server-';

/** The key a server is recorded under. */
export const serverKey = (id: number): string => `${KEY_PREFIX}${id}`;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list whose every entry has a numeric id: only such a list can be keyed (anything else is left to validation). */
const isServerList = (v: unknown): v is (Json & { id: number })[] =>
  Array.isArray(v) && v.every((s) => isObject(s) && typeof s.id === 'number' && Number.isFinite(s.id));

/** The list as an object keyed `server-<id>`, ids ascending; null when it cannot be keyed without loss (not servers, or a duplicate id). */
function keyed(list: unknown): Json | null {
  if (!isServerList(list) || new Set(list.map((s) => s.id)).size !== list.length) return null;
  return Object.fromEntries([...list].sort((a, b) => a.id - b.id).map((s) => [serverKey(s.id), s]));
}

/** The servers of a keyed object back as a list, ids ascending; null when it is not that shape. */
function unkeyed(map: unknown): Json[] | null {
  if (!isObject(map)) return null;
  const entries = Object.entries(map);
  if (!entries.every(([k, s]) => isObject(s) && k === serverKey(s.id as number))) return null;
  return entries.map(([, s]) => s as Json).sort((a, b) => (a.id as number) - (b.id as number));
}

/** `servers` and `existing.servers` of `data` turned by `f` (null from `f`: left as they are). */
function mapServerLists(data: Json, f: (v: unknown) => unknown[] | Json | null): Json {
  const out: Json = { ...data };
  const servers = f(out.servers);
  if (servers) out.servers = servers;
  if (isObject(out.existing)) {
    const existing = f(out.existing.servers);
    if (existing) out.existing = { ...out.existing, servers: existing };
  }
  return out;
}

/** `spec` with `servers` and `existing.servers` keyed by id; everything else, and any list that is not servers, unchanged. */
export function keyServersById(spec: object): Json {
  return mapServerLists(spec as Json, keyed);
}

/**
 * The reverse of keyServersById: `servers` and `existing.servers` as lists again. A list is left as
 * it is, since states written before servers were keyed hold lists; anything else is left for
 * validation to name.
 */
export function unkeyServers(data: unknown): unknown {
  return isObject(data) ? mapServerLists(data, unkeyed) : data;
}
