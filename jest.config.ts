import type { Config } from 'jest';
import { createDefaultPreset } from 'ts-jest';

/** Jest runs the TypeScript specs through ts-jest; `npm test` type-checks separately with tsc. */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  ...createDefaultPreset({ tsconfig: 'tsconfig.json' }),
};

export default config;
