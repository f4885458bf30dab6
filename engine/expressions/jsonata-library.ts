/**
 * jsonata: required on Node (faster than importing its 300 KB CommonJS bundle, see
 * node-builtins.ts), imported everywhere else. Every evaluation needs it, so it loads now.
 */
import type Jsonata from 'jsonata';
import { requireFromNode } from '../node-builtins.js';

const jsonata: typeof Jsonata = requireFromNode<typeof Jsonata>('jsonata') ?? (await import('jsonata')).default;
export default jsonata;
