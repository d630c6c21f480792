import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini carries no messages of its own; full zod's English ones, so an error reads the same to a person.
config(en());

export * from 'zod/mini';
