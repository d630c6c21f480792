import { mapStackTracesFromBundle } from './stack-traces.ts';

// Imported first by every lambda.ts: inside a bundle import.meta.url is the bundle's own file, beside its map.
mapStackTracesFromBundle(import.meta.url);
