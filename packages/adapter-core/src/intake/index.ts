// Owned by the intake module; exports are added as the module lands.
export {};
