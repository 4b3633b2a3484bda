// Owned by the delivery module; exports are added as the module lands.
export {};
