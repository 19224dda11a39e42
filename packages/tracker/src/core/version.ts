// The SDKs' name and version as sent in `context.library`, so bronze can tell which tracker sent an event.
export const LIBRARY_NAME = '@lens/tracker';
export const LIBRARY_VERSION = '0.1.0';
