// BiDi's serialized values (script.RemoteValue) back into plain JavaScript values, for
// page.eval results: primitives (NaN, -0, Infinity, BigInt included), arrays, objects, Date,
// RegExp, Map and Set. Values BiDi only names (functions, nodes, promises...) become undefined,
// as they would through JSON.
import type * as Bidi from 'webdriver-bidi-protocol';

type RemoteValue = Bidi.Script.RemoteValue;

export function fromRemoteValue(value: RemoteValue | undefined): unknown {
  if (!value || typeof value !== 'object') return undefined;
  switch (value.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      switch (value.value) {
        case 'NaN': return NaN;
        case '-0': return -0;
        case 'Infinity': return Infinity;
        case '-Infinity': return -Infinity;
        default: return value.value;
      }
    case 'bigint':
      return BigInt(value.value);
    case 'array':
      return (value.value ?? []).map(fromRemoteValue);
    case 'set':
      return new Set((value.value ?? []).map(fromRemoteValue));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of value.value ?? []) {
        if (typeof key !== 'string') continue;
        // Own data properties, never a prototype change.
        Object.defineProperty(out, key, { value: fromRemoteValue(item), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'map':
      return new Map((value.value ?? []).map(([key, item]) => [typeof key === 'string' ? key : fromRemoteValue(key), fromRemoteValue(item)]));
    case 'date':
      return new Date(value.value);
    case 'regexp':
      return new RegExp(value.value.pattern, value.value.flags);
    default:
      return undefined;
  }
}
