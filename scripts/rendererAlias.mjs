// The renderer is written against React's API and type-checked with @types/react, but bundled with
// Preact's compat layer: the same hooks and components in ~15 KB instead of react-dom's ~210 KB,
// which the history window must parse before it can show its first rows (issue 12: first list
// < 150 ms). Every bundle of renderer code (the build, tests that bundle components) uses this map.
export const rendererAlias = { react: 'preact/compat', 'react-dom': 'preact/compat' };
