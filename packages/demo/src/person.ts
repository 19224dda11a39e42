// One simulated person: their segment, locality, devices and identity state. Everything about a person is
// drawn from their own random stream (seed, person index), so a person behaves the same whatever the order
// in which the generator interleaves people.
import { LOCALITIES, LOCALITY_WEIGHTS, deviceContext, type DeviceKind, type Locality } from './device-profiles.js';
import { BOTS, IDENTITY, SEGMENTS, type Segment } from './planted-truths.js';
import { Random, hashSeed } from './random.js';
import { WeightedTable } from './weighted-table.js';

/** A device of a person: its own anonymousId, static context and whether the person is logged in on it. */
export interface Device {
  readonly kind: DeviceKind;
  readonly anonymousId: string;
  readonly context: Readonly<Record<string, unknown>>;
  loggedIn: boolean;
}

/** A person's fixed traits and mutable state as the simulation runs. */
export interface Person {
  readonly index: number;
  readonly rng: Random;
  readonly bot: boolean;
  readonly segment: Segment;
  readonly locality: Locality;
  readonly devices: Device[];
  /** Planned extra devices, added once the person registers (anonymous readers stay on one device). */
  readonly extraDeviceKinds: readonly DeviceKind[];
  /** The session (1-based) in which the person registers, or Infinity if they never do. */
  readonly registerAtSession: number;
  readonly corporate: boolean;
  userId: string | undefined;
  subscriber: boolean;
  sessions: number;
  messages: number;
  lastEventAt: number;
}

const SEGMENT_TABLE = WeightedTable.fromRecord(
  Object.fromEntries(Object.entries(SEGMENTS).map(([k, v]) => [k, v.share])) as Record<Segment, number>,
);
const LOCALITY_TABLE = new WeightedTable(LOCALITIES, LOCALITY_WEIGHTS);
const PRIMARY_KIND = new WeightedTable<DeviceKind>(
  ['desktop_web', 'mobile_web', 'ios_app', 'android_app'],
  [0.35, 0.35, 0.15, 0.15],
);
const EXTRA_DEVICES = new WeightedTable(
  [0, 1, 2],
  [IDENTITY.extraDevices[0], IDENTITY.extraDevices[1], IDENTITY.extraDevices[2]],
);

/** Whether person `index` of a seed is a bot, decided before anything else so it is cheap to ask. */
export function isBotPerson(seed: number, index: number): boolean {
  return new Random(hashSeed(seed, 0xb07), index).chance(BOTS.userShare);
}

/** Creates person `index` of the world of `seed`. */
export function createPerson(seed: number, index: number): Person {
  const rng = new Random(seed, hashSeed(index, 0x9e75));
  const bot = isBotPerson(seed, index);
  const segment = SEGMENT_TABLE.sample(rng);
  const locality = LOCALITY_TABLE.sample(rng);
  const primary: DeviceKind = bot ? 'bot' : PRIMARY_KIND.sample(rng);
  const registers = !bot && rng.chance(IDENTITY.registerShare);
  const extra = registers ? EXTRA_DEVICES.sample(rng) : 0;
  const others = (['desktop_web', 'mobile_web', 'ios_app', 'android_app'] as const).filter((k) => k !== primary);
  const extraDeviceKinds = Array.from({ length: extra }, () => rng.pick(others));
  const person: Person = {
    index,
    rng,
    bot,
    segment,
    locality,
    devices: [],
    extraDeviceKinds,
    registerAtSession: registers ? 1 + Math.floor(rng.exponential(IDENTITY.meanSessionsBeforeRegistering)) : Infinity,
    corporate: registers && segment === 'business_pro' && rng.chance(IDENTITY.corporateShare),
    userId: undefined,
    subscriber: false,
    sessions: 0,
    messages: 0,
    lastEventAt: -Infinity,
  };
  addDevice(person, primary);
  return person;
}

/** Adds a device with a fresh anonymousId; the person is not logged in on it yet. */
export function addDevice(person: Person, kind: DeviceKind): Device {
  const device: Device = {
    kind,
    anonymousId: uuid(person.rng, person.index, 0xffff0000 + person.devices.length),
    context: deviceContext(kind, person.locality, person.rng),
    loggedIn: false,
  };
  person.devices.push(device);
  return device;
}

/** Gives the person a userId (on registration) and makes their other planned devices available. */
export function register(person: Person): string {
  person.userId ??= `u${person.index.toString(36).padStart(5, '0')}-${person.rng.hex(6)}`;
  if (person.devices.length === 1) for (const kind of person.extraDeviceKinds) addDevice(person, kind);
  return person.userId;
}

/** The next messageId of a person: a UUIDv4-shaped id, random bits plus (person, counter) so ids never repeat. */
export function nextMessageId(person: Person): string {
  return uuid(person.rng, person.index, person.messages++);
}

function uuid(rng: Random, index: number, counter: number): string {
  const w1 = rng.uint32();
  return (
    rng.hex(8) +
    '-' +
    hex(w1 >>> 16, 4) +
    '-4' +
    hex(w1 & 0xfff, 3) +
    '-' +
    hex(8 | ((index >>> 28) & 3), 1) +
    hex((index >>> 16) & 0xfff, 3) +
    '-' +
    hex(index & 0xffff, 4) +
    hex(counter >>> 0, 8)
  );
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
