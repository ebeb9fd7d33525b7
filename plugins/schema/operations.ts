// Each tool's operation kind and the entity it acts on: from its verb, the keys it is given, what it
// returns, and what its description says ("its status becomes cancelled"). Entities only a plan
// names are added; one created with its key given by the caller is keyed naturally.
import type { OperationKind } from "../../lib/contracts/domain-schema.ts";
import { snake, splitIdentifier } from "../../lib/domain-model/words.ts";
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

/** Plan every tool (and add the entities plans name to `entities`). */
export function planOperations(shapes: readonly Shape[], entities: Map<string, EntityInfo>, pathEntity: string | null): Planned[] {
  const planned = shapes.map((shape) => new ToolReading(shape, entities, pathEntity).plan());
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

/** What one tool's name and parameters say about the entity it acts on, against the known entities. */
class ToolReading {
  readonly #shape: Shape;
  readonly #entities: ReadonlyMap<string, EntityInfo>;
  readonly #pathEntity: string | null;
  /** The known entity its object words name. */
  readonly #object: string | null;

  constructor(shape: Shape, entities: ReadonlyMap<string, EntityInfo>, pathEntity: string | null) {
    this.#shape = shape;
    this.#entities = entities;
    this.#pathEntity = pathEntity;
    this.#object = knownEntityIn(shape.object, entities);
  }

  /** Whether the tool is given the key of `entity`. */
  hasKeyOf(entity: string): boolean {
    const info = this.#entities.get(entity);
    return Boolean(
      info &&
        this.#shape.params.some(
          (p) =>
            snake(p.name) === info.key ||
            (info.keyKind === "natural" &&
              info.key === "path" &&
              isPathLike(p.name) &&
              !/^(dest|destination|target|new)_/.test(snake(p.name))),
        ),
    );
  }

  /** The entity whose record the tool is given the key of, or null. */
  keyedEntity(): string | null {
    const object = this.#object;
    const params = this.#shape.params;
    if (object && this.hasKeyOf(object)) return object;
    if (params.some((p) => snake(p.name) === "id") && object) return object;
    // The one entity whose key is given (`change_seat(reservation_id, seat)` acts on the reservation).
    const given = params.map((p) => referencedEntity(p)).filter((r) => r && r.side === null) as { entity: string }[];
    if (given.length === 1) return (given[0] as { entity: string }).entity;
    if (this.#pathEntity && params.some((p) => isPathLike(p.name))) return this.#pathEntity;
    return null;
  }

  /** The entity a creating tool makes a record of. */
  newEntity(): string {
    const { tool, params, verb } = this.#shape;
    const object = this.#object;
    const declared = returnedFields(tool)
      .map(({ name }) => idEntity(splitIdentifier(name)))
      .find((e): e is string => Boolean(e) && !params.some((p) => referencedEntity(p)?.entity === e));
    if (declared) return declared;
    if (object && !this.hasKeyOf(object)) return object;
    if (object) {
      // `book_flight(flight_id)` does not create a flight: what it creates is what its description names.
      const referenced = new Set(params.map((p) => referencedEntity(p)?.entity).filter(Boolean));
      const mentioned = descriptionWords(tool).find((w) => this.#entities.has(w) && !referenced.has(w) && w !== object);
      return mentioned ?? `${object}_${verb ? (VERB_NOUNS[verb] ?? "record") : "record"}`;
    }
    return objectName(this.#shape);
  }

  /** The tool's operation and entity: what its description says of a status first, then its verb's kind. */
  plan(): Planned {
    const shape = this.#shape;
    const said = STATUS_PHRASE.exec(shape.tool.description)?.[1]?.toLowerCase();
    if (said && shape.kind !== "upsert" && shape.kind !== "delete") {
      // A creating verb (`return_loan(loan_id)`) counts only when it names the record it is given.
      const object = this.#object;
      const target = shape.kind === "create" ? (object && this.hasKeyOf(object) ? object : null) : this.keyedEntity();
      if (target) return { shape, operation: "set-status", entity: target, statusTo: said };
    }
    return { shape, ...this.byVerb() };
  }

  /** The operation the verb's kind asks for, and its entity. */
  byVerb(): Pick<Planned, "operation" | "entity"> {
    const shape = this.#shape;
    const { params } = shape;
    const object = this.#object;
    const entities = this.#entities;
    const pathEntity = this.#pathEntity;
    const sides = params.map((p) => ({ p, ref: referencedEntity(p) }));
    const source = sides.find((s) => s.ref?.side === "source");
    const destination = sides.find((s) => s.ref?.side === "destination" && s.ref.entity === source?.ref?.entity);
    const hasAmount = params.some((p) => AMOUNT.has(snake(p.name)) || QUANTITY.has(snake(p.name)));
    const pathSource = params.find((p) => isPathLike(p.name) && /^(source|src|from|old)_/.test(snake(p.name)));
    const pathDestination = params.find((p) => isPathLike(p.name) && /^(destination|dest|to|target|new)_/.test(snake(p.name)));
    switch (shape.kind) {
      case "transfer":
        if (source?.ref && destination && hasAmount) return { operation: "transfer", entity: source.ref.entity };
        return { operation: "create", entity: this.newEntity() };
      case "move":
        if (pathEntity && pathSource && pathDestination) return { operation: "move", entity: pathEntity };
        if (source?.ref && destination && hasAmount) return { operation: "transfer", entity: source.ref.entity };
        return this.keyedEntity()
          ? { operation: "update", entity: this.keyedEntity() as string }
          : { operation: "create", entity: this.newEntity() };
      case "status": {
        const target = this.keyedEntity();
        return target ? { operation: "set-status", entity: target } : { operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "upsert": {
        const target = this.keyedEntity();
        if (target && entities.get(target)?.keyKind === "natural") return { operation: "upsert", entity: target };
        if (target) return { operation: "update", entity: target };
        return { operation: "create", entity: this.newEntity() };
      }
      case "create": {
        if (
          pathEntity &&
          params.some((p) => isPathLike(p.name)) &&
          (!object || object === pathEntity || !entities.has(object) || entities.get(object)?.keyKind === "natural")
        ) {
          return { operation: "create", entity: pathEntity };
        }
        const naturalTarget = object && entities.get(object)?.keyKind === "natural" && this.hasKeyOf(object);
        return { operation: "create", entity: naturalTarget ? (object as string) : this.newEntity() };
      }
      case "update": {
        const target = this.keyedEntity();
        return target ? { operation: "update", entity: target } : { operation: "create", entity: this.newEntity() };
      }
      case "delete": {
        const target = this.keyedEntity();
        const named = object ?? objectName(shape);
        // `remove_attendee(event_id, email)`: an attendee of the event, found by its fields.
        if (target && named !== target && !this.hasKeyOf(named)) return { operation: "delete", entity: named };
        return { operation: "delete", entity: target ?? named };
      }
      case "get": {
        const target = this.keyedEntity();
        if (target && (!object || object === target || this.hasKeyOf(target))) return { operation: "get", entity: target };
        return { operation: "lookup", entity: object ?? headNoun(shape) };
      }
      case "list":
        if (pathEntity && params.some((p) => isPathLike(p.name))) return { operation: "list", entity: pathEntity };
        return { operation: "list", entity: object ?? headNoun(shape) };
      default:
        return { operation: "lookup", entity: object ?? headNoun(shape) };
    }
  }
}
