/**
 * Hosts for tests, each in its own Linux network namespace: a bridge in the root namespace carries one private
 * subnet from the benchmarking range 198.18.0.0/15 (RFC 2544); every host is a namespace joined to the bridge by a
 * veth pair, with its own address and no default route: it reaches the services bound to the bridge's address and
 * nothing else, so no traffic leaves the machine. Links can be
 * taken down and up. Needs root and iproute2. Everything is torn down by `close()`, and by a synchronous hook when the
 * process exits any other way; `sweepStale()` removes what a killed earlier run of this module left behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** One host: a network namespace with an address on the test network. */
export interface Host {
  name: string;
  /** Network namespace name. */
  netns: string;
  /** Its address on the test network. */
  ip: string;
  /** The veth end on the bridge (root namespace): taking it down cuts the host off. */
  link: string;
  /** Command prefix that runs a program inside the host. */
  exec: string[];
}

/** A test network: the bridge, its address (where services listen) and the hosts. */
export interface TestNetwork {
  /** Address of the bridge in the root namespace: bind services here so hosts reach them. */
  gateway: string;
  bridge: string;
  hosts: Map<string, Host>;
  /** Takes a host's link down (`ip link set … down`): its connections stall, nothing reaches it. */
  linkDown(host: string): void;
  /** Brings a host's link back up. */
  linkUp(host: string): void;
  /** Deletes the hosts, their links and the bridge. */
  close(): void;
}

/**
 * Prefix of every interface and namespace this module creates: `fwreh-<pid>` (interface names stay within Linux's 15
 * characters: `fwreh-4194304br`).
 */
const PREFIX = 'fwreh-';

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};
const ipQuiet = (...args: string[]): void => {
  spawnSync('ip', args, { stdio: 'ignore' });
};

/** Whether this process may create network namespaces (root with iproute2). */
export function canCreateNamespaces(): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' };
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0)
    return { ok: false, reason: 'iproute2 (`ip`) is not installed' };
  return { ok: true };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Removes namespaces and interfaces left by a run of this module whose process is gone. */
export function sweepStale(): string[] {
  const removed: string[] = [];
  const owner = (name: string) => Number(new RegExp(`^${PREFIX}(\\d+)`).exec(name)?.[1] ?? NaN);
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of netns.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = owner(name);
    if (Number.isInteger(pid) && !alive(pid)) {
      ipQuiet('netns', 'del', name);
      removed.push(name);
    }
  }
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (const m of links.matchAll(/^\d+:\s+([^:@\s]+)/gm)) {
    const name = m[1]!;
    const pid = owner(name);
    if (Number.isInteger(pid) && !alive(pid)) {
      ipQuiet('link', 'del', name);
      removed.push(name);
    }
  }
  return removed;
}

/** A /24 of 198.18.0.0/15 that no interface of this machine uses yet. */
function freeSubnet(): string {
  const used = spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (let k = 0; k < 512; k++) {
    const n = (process.pid + k) % 512;
    const subnet = `198.${18 + Math.floor(n / 256)}.${n % 256}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
  throw new Error('no free /24 left in 198.18.0.0/15');
}

/** Creates the bridge and one namespace per host name (at most 8), each linked to the bridge and up. */
export function createNetwork(hostNames: string[]): TestNetwork {
  if (hostNames.length > 8) throw new Error('at most 8 hosts');
  const tag = `${PREFIX}${process.pid}`;
  const bridge = `${tag}br`;
  const subnet = freeSubnet();
  const gateway = `${subnet}.1`;
  const hosts = new Map<string, Host>();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    for (const h of hosts.values()) {
      ipQuiet('link', 'del', h.link);
      ipQuiet('netns', 'del', h.netns);
    }
    ipQuiet('link', 'del', bridge);
  };
  process.on('exit', close);
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    hostNames.forEach((name, i) => {
      const netns = `${tag}${name}`;
      const link = `${tag}h${i}`;
      const peer = `${tag}p${i}`;
      const addr = `${subnet}.${11 + i}`;
      ip('netns', 'add', netns);
      hosts.set(name, { name, netns, ip: addr, link, exec: ['ip', 'netns', 'exec', netns] });
      ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer);
      ip('link', 'set', peer, 'netns', netns);
      ip('link', 'set', link, 'master', bridge);
      ip('link', 'set', link, 'up');
      ip('netns', 'exec', netns, 'ip', 'addr', 'add', `${addr}/24`, 'dev', peer);
      ip('netns', 'exec', netns, 'ip', 'link', 'set', peer, 'up');
      ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    close();
    throw err;
  }
  const host = (name: string): Host => {
    const h = hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  };
  return {
    gateway,
    bridge,
    hosts,
    linkDown: (name) => ip('link', 'set', host(name).link, 'down'),
    linkUp: (name) => ip('link', 'set', host(name).link, 'up'),
    close,
  };
}
