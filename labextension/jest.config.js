// Times in the tests are formatted in local time: pin the zone so they read the same everywhere.
process.env.TZ = 'UTC';

/** Unit tests of the pure modules, in jsdom (the views build plain DOM). */
module.exports = {
  testEnvironment: 'jsdom',
  setupFiles: ['<rootDir>/jest.setup.js'],
  testMatch: ['<rootDir>/src/__tests__/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }]
  },
  moduleFileExtensions: ['ts', 'js', 'json']
};
