import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per function. Never pass lead contact data or answers to it: log ids,
 * counts and codes only (the events themselves are not logged either).
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    logLevel: process.env.POWERTOOLS_LOG_LEVEL === undefined ? 'INFO' : undefined,
  });
}
