// Intrinsics the bootstrap relies on, captured when its script is evaluated: before any tool code
// exists, and before the realm is frozen (after which nobody can replace them anyway).
export const ObjectProto = Object.prototype;
export const ArrayProto = Array.prototype;
export const FunctionProto = Function.prototype;
export const { freeze, isFrozen, getPrototypeOf, setPrototypeOf, getOwnPropertyDescriptor, defineProperty, hasOwn } = Object;
export const {
  apply: reflectApply,
  construct: reflectConstruct,
  ownKeys,
  defineProperty: reflectDefine,
  deleteProperty: reflectDelete,
} = Reflect;
export const isArray = Array.isArray;
export const jsonParse = JSON.parse;
export const jsonStringify = JSON.stringify;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const StringCtor = String;
export const ProxyCtor = Proxy;
export const RealDate = Date;
/** The real `then` (the realm replaces it by one that throws): to mark promises made at lockdown as handled. */
export const promiseThen = Promise.prototype.then;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = Record<PropertyKey, unknown>;

/** Write an own data property: plain assignment when it exists (faster), else define it (a frozen prototype's property of that name must not block it). */
export function setOwn(target: object, key: PropertyKey, value: unknown): boolean {
  if (hasOwn(target, key)) {
    (target as Obj)[key] = value;
    return true;
  }
  return reflectDefine(target, key, { value, writable: true, enumerable: true, configurable: true });
}
