// Owned by the markdown module; exports are added as the module lands.
export {};
