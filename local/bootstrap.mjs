// `npm start`: installs dependencies when they are missing, then runs the TypeScript runner in this process.
import { ensureDependencies } from './ensure-deps.mjs';

ensureDependencies();
// The SDK warns that Node 22 will be needed from 2027; Lambda runs nodejs22.x already, and locally it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
await import('./start.ts');
