/** Injection token of the loaded federation configuration. */
export const FEDERATION = Symbol('FEDERATION');
