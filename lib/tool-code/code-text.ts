// Spelling values and property accesses in generated code.

/** A JavaScript literal for a JSON value. */
export const q = (value: unknown) => JSON.stringify(value);

/** A property access that is valid for any field name: `r.order_id` or `r["2fa"]`. */
export const prop = (object: string, name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `${object}.${name}` : `${object}[${q(name)}]`);
