// The part of the `x11` package (pure JavaScript, no types of its own) that x11-window.ts uses:
// connect, intern atoms, read properties, list a window's children.
declare module 'x11' {
  export interface XProperty { type: number; format: number; data: Buffer }
  export interface XClient {
    InternAtom(onlyIfExists: boolean, name: string, cb: (error: Error | null, atom: number) => void): void;
    GetProperty(del: number, wid: number, name: number, type: number, offset: number, length: number, cb: (error: Error | null, property: XProperty) => void): void;
    QueryTree(wid: number, cb: (error: Error | null, tree: { children: number[] }) => void): void;
    terminate(): void;
    on(event: 'error', listener: (error: Error) => void): void;
  }
  export interface XDisplay { client: XClient; screen: { root: number }[] }
  export function createClient(options: { display?: string }, cb: (error: Error | null, display: XDisplay) => void): XClient;
}
