// Entities a domain's tools talk about: those named by id parameters and ids in declared results,
// a path-keyed entity for tools that take paths, and entities keyed by other natural keys (an
// email, a sku) when the tool names no other record.

import { snake, splitIdentifier } from "../../lib/domain-model/words.ts";
import { idEntity, returnedFields } from "./parameters.ts";
import { type EntityInfo, headNoun, isNaturalKey, isPathLike, knownEntityIn, referencedEntity, type Shape } from "./tool-shapes.ts";

/** The entities of a domain's tools, and the one paths name (if any). */
export function collectEntities(shapes: readonly Shape[]): { entities: Map<string, EntityInfo>; pathEntity: string | null } {
  // Entities named by ids, in parameters and in declared results.
  const entities = new Map<string, EntityInfo>();
  const addEntity = (entity: string, key: string, keyKind: EntityInfo["keyKind"], type: string) => {
    const keyType = type === "integer" || type === "number" ? "integer" : "string";
    const known = entities.get(entity);
    if (!known) entities.set(entity, { entity, key, keyKind, keyType, numeric: keyType === "integer" });
    else {
      if (keyType === "string") known.keyType = "string";
      if (keyType === "integer") known.numeric = true;
    }
  };
  for (const shape of shapes) {
    for (const parameter of shape.params) {
      const ref = referencedEntity(parameter);
      if (ref) addEntity(ref.entity, `${ref.entity}_id`, "id", parameter.field.type);
    }
    for (const { name, field } of returnedFields(shape.tool)) {
      const entity = idEntity(splitIdentifier(name));
      if (entity) addEntity(entity, `${entity}_id`, "id", field.type);
    }
  }

  // Natural keys: paths always; other natural keys (email, sku…) when the tool names no other record.
  const pathTools = shapes.filter((s) => s.params.some((p) => isPathLike(p.name)));
  let pathEntity: string | null = null;
  if (pathTools.length > 0) {
    const votes = new Map<string, number>();
    for (const shape of pathTools) {
      const noun = knownEntityIn(shape.object, entities) ?? shape.object.at(-1);
      if (noun) votes.set(noun, (votes.get(noun) ?? 0) + 1);
    }
    const ranked = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    // `directory` and `file` tools share one table; prefer the noun of most tools, `file` on ties.
    pathEntity = ranked.find(([noun]) => noun === "file" && votes.get(noun) === ranked[0]?.[1])?.[0] ?? ranked[0]?.[0] ?? "file";
    if (!entities.has(pathEntity)) entities.set(pathEntity, { entity: pathEntity, key: "path", keyKind: "natural", keyType: "string" });
  }
  for (const shape of shapes) {
    const natural = shape.params.find((p) => isNaturalKey(p) && !isPathLike(p.name));
    if (!natural || shape.params.some((p) => referencedEntity(p))) continue;
    const noun = knownEntityIn(shape.object, entities) ?? headNoun(shape);
    if (!entities.has(noun)) entities.set(noun, { entity: noun, key: snake(natural.name), keyKind: "natural", keyType: "string" });
  }
  return { entities, pathEntity };
}
