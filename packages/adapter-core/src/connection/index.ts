// Owned by the connection module; exports are added as the module lands.
export {};
