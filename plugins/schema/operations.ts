// Each tool's operation kind and the entity it acts on: from its verb, the keys it is given, what it
// returns, and what its description says ("its status becomes cancelled"). Entities only a plan
// names are added; one created with its key given by the caller is keyed naturally.
import type { OperationKind } from "../../contracts/domain-schema.ts";
import { snake, splitIdentifier } from "../../domain-model/words.ts";
import { descriptionWords, idEntity, returnedFields } from "./parameters.ts";
import {
  AMOUNT,
  type EntityInfo,
  headNoun,
  isPathLike,
  knownEntityIn,
  objectName,
  QUANTITY,
  referencedEntity,
  type Shape,
  STATUS_PHRASE,
  VERB_NOUNS,
} from "./tool-shapes.ts";

/** A tool's planned operation and target entity. */
export interface Planned {
  shape: Shape;
  operation: OperationKind;
  entity: string;
  /** The state a description says the record ends in ("its status becomes cancelled"). */
  statusTo?: string;
}

/** Plan every tool (and add the entities plans name to \`entities\`). */
export function planOperations(shapes: readonly Shape[], entities: Map<string, EntityInfo>, pathEntity: string | null): Planned[] {
  // Each tool's operation and target entity.
  const planned: Planned[] = shapes.map((shape): Planned => {
    const { params } = shape;
    const object = knownEntityIn(shape.object, entities);
    const hasKeyOf = (entity: string) => {
      const info = entities.get(entity);
      return Boolean(
        info &&
          params.some(
            (p) =>
              snake(p.name) === info.key ||
              (info.keyKind === "natural" &&
                info.key === "path" &&
                isPathLike(p.name) &&
                !/^(dest|destination|target|new)_/.test(snake(p.name))),
          ),
      );
    };
    const keyedEntity = (): string | null => {
      if (object && hasKeyOf(object)) return object;
      if (params.some((p) => snake(p.name) === "id") && object) return object;
      // The one entity whose key is given (`change_seat(reservation_id, seat)` acts on the reservation).
      const given = params.map((p) => referencedEntity(p)).filter((r) => r && r.side === null) as { entity: string }[];
      if (given.length === 1) return (given[0] as { entity: string }).entity;
      if (pathEntity && params.some((p) => isPathLike(p.name))) return pathEntity;
      return null;
    };
    const newEntity = (): string => {
      const declared = returnedFields(shape.tool)
        .map(({ name }) => idEntity(splitIdentifier(name)))
        .find((e): e is string => Boolean(e) && !params.some((p) => referencedEntity(p)?.entity === e));
      if (declared) return declared;
      if (object && !hasKeyOf(object)) return object;
      if (object) {
        // `book_flight(flight_id)` does not create a flight: what it creates is what its description names.
        const referenced = new Set(params.map((p) => referencedEntity(p)?.entity).filter(Boolean));
        const mentioned = descriptionWords(shape.tool).find((w) => entities.has(w) && !referenced.has(w) && w !== object);
        return mentioned ?? `${object}_${shape.verb ? (VERB_NOUNS[shape.verb] ?? "record") : "record"}`;
      }
      return objectName(shape);
    };

    const sides = params.map((p) => ({ p, ref: referencedEntity(p) }));
    const source = sides.find((s) => s.ref?.side === "source");
    const destination = sides.find((s) => s.ref?.side === "destination" && s.ref.entity === source?.ref?.entity);
    const hasAmount = params.some((p) => AMOUNT.has(snake(p.name)) || QUANTITY.has(snake(p.name)));
    const pathSource = params.find((p) => isPathLike(p.name) && /^(source|src|from|old)_/.test(snake(p.name)));
    const pathDestination = params.find((p) => isPathLike(p.name) && /^(destination|dest|to|target|new)_/.test(snake(p.name)));

    const said = STATUS_PHRASE.exec(shape.tool.description)?.[1]?.toLowerCase();
    if (said && shape.kind !== "upsert" && shape.kind !== "delete") {
      // A creating verb (`return_loan(loan_id)`) counts only when it names the record it is given.
      const target = shape.kind === "create" ? (object && hasKeyOf(object) ? object : null) : keyedEntity();
      if (target) return { shape, operation: "set-status", entity: target, statusTo: said };
    }
    switch (shape.kind) {
      case "transfer":
        if (source?.ref && destination && hasAmount) return { shape, operation: "transfer", entity: source.ref.entity };
        return { shape, operation: "create", entity: newEntity() };
      case "move":
        if (pathEntity && pathSource && pathDestination) return { shape, operation: "move", entity: pathEntity };
        if (source?.ref && destination && hasAmount) return { shape, operation: "transfer", entity: source.ref.entity };
        return keyedEntity()
          ? { shape, operation: "update", entity: keyedEntity() as string }
          : { shape, operation: "create", entity: newEntity() };
      case "status": {
        const target = keyedEntity();
        return target
          ? { shape, operation: "set-status", entity: target }
          : { shape, operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "upsert": {
        const target = keyedEntity();
        if (target && entities.get(target)?.keyKind === "natural") return { shape, operation: "upsert", entity: target };
        if (target) return { shape, operation: "update", entity: target };
        return { shape, operation: "create", entity: newEntity() };
      }
      case "create": {
        if (
          pathEntity &&
          params.some((p) => isPathLike(p.name)) &&
          (!object || object === pathEntity || !entities.has(object) || entities.get(object)?.keyKind === "natural")
        ) {
          return { shape, operation: "create", entity: pathEntity };
        }
        const naturalTarget = object && entities.get(object)?.keyKind === "natural" && hasKeyOf(object);
        return { shape, operation: "create", entity: naturalTarget ? (object as string) : newEntity() };
      }
      case "update": {
        const target = keyedEntity();
        return target ? { shape, operation: "update", entity: target } : { shape, operation: "create", entity: newEntity() };
      }
      case "delete": {
        const target = keyedEntity();
        const named = object ?? objectName(shape);
        if (target && named !== target && !hasKeyOf(named)) {
          // `remove_attendee(event_id, email)`: an attendee of the event, found by its fields.
          return { shape, operation: "delete", entity: named };
        }
        return { shape, operation: "delete", entity: target ?? named };
      }
      case "get": {
        const target = keyedEntity();
        if (target && (!object || object === target || hasKeyOf(target))) return { shape, operation: "get", entity: target };
        return { shape, operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "list": {
        if (pathEntity && params.some((p) => isPathLike(p.name))) return { shape, operation: "list", entity: pathEntity };
        return { shape, operation: "list", entity: object ?? headNoun(shape) };
      }
      default:
        return { shape, operation: "lookup", entity: object ?? headNoun(shape) };
    }
  });

  for (const plan of planned)
    if (!entities.has(plan.entity))
      entities.set(plan.entity, { entity: plan.entity, key: `${plan.entity}_id`, keyKind: "id", keyType: "string" });
  // An entity created with its key given by the caller is keyed naturally (`create_user(username)`).
  for (const plan of planned) {
    const info = entities.get(plan.entity) as EntityInfo;
    if (plan.operation === "create" && info.keyKind === "id" && plan.shape.params.some((p) => snake(p.name) === info.key))
      info.keyKind = "natural";
  }
  return planned;
}
