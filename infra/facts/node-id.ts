// The app's id layout (app/src/ids.ts): 14 bits of node id. A leaf module: config validation
// checks a site's address block against it before anything registers.
export const NODE_ID_BITS_FACT = 14;
