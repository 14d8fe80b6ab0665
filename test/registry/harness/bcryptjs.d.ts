// Types for the part of bcryptjs 2.4 (no bundled types) that the registry harness uses to write htpasswd lines.
declare module 'bcryptjs' {
  export function hashSync(password: string, rounds: number): string;
  export function compareSync(password: string, hash: string): boolean;
}
