// dynalite ships no types; this is the one call tests and benchmarks make.
declare module 'dynalite' {
  import type { Server } from 'node:net';
  export default function dynalite(options?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
  }): Server;
}
