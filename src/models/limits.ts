/**
 * The most layers one model may have. Real models have hundreds to a few thousand; the limit
 * keeps a small hostile config (a model.json of a few megabytes) from building millions of
 * layers. Building is linear in the number of layers up to it.
 */
export const MAX_LAYERS = 20_000;
