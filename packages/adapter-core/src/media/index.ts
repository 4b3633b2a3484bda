// Owned by the media module; exports are added as the module lands.
export {};
