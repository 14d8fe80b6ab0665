// Public entry point of the Modelfile syntax layer: the tree types, byte decoding, the parser and the renderer.
export * from './syntax';
export * from './decode';
export * from './parser';
export * from './render';
