// The only module the UI imports to reach the Rust side. The client itself is generated from the Rust
// declarations (./bindings.ts); errors arrive as IpcError with a typed code.
export * from "./bindings";
export { IpcError, type FileArg, type FileArg as PickedFile, type Unlisten } from "./transport";
