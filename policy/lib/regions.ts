// Which region a resource lands in: its own `region` argument (@pulumi/aws v7), else its provider's
// region (an explicit aws.Provider, or the default provider, whose region is the stack's aws:region).
// Account-level defaults (EBS encryption by default, instance metadata defaults) hold per region, so
// one credits a host only in the host's own region; a region only the deployment knows is CannotJudge.
import { UNKNOWN } from "./references";
import { at, label } from "./stackIndex";
import type { StackResource } from "./types";
import { CannotJudge } from "./unknown";

interface Placement {
  /** The region, when the program says it. */
  region?: string;
  /** What decides it when the region is not known: the provider's URN ("" for none, "?" for a region argument not known yet). */
  decidedBy: string;
}

export function placementOf(r: StackResource): Placement {
  const own = at(r.props, "region");
  if (own === UNKNOWN) return { decidedBy: `?${r.urn}` };
  if (typeof own === "string" && own !== "") return { region: own, decidedBy: "" };
  const provider = r.provider;
  if (!provider) return { decidedBy: "" };
  const region = at(provider.props, "region");
  return typeof region === "string" && region !== "" ? { region, decidedBy: provider.urn } : { decidedBy: provider.urn };
}

/**
 * Are `a` and `b` in the same region? Both regions known: compare them. Neither known but both on the
 * same provider with no region argument: the same region, whichever it is. Otherwise only the
 * deployment knows: CannotJudge (`why` says what hangs on it).
 */
export function sameRegion(a: StackResource, b: StackResource, why: string): boolean {
  const pa = placementOf(a);
  const pb = placementOf(b);
  if (pa.region !== undefined && pb.region !== undefined) return pa.region === pb.region;
  if (pa.region === undefined && pb.region === undefined && pa.decidedBy === pb.decidedBy && !pa.decidedBy.startsWith("?")) return true;
  const unknownOne = pa.region === undefined ? a : b;
  throw new CannotJudge(`the region of ${label(unknownOne)} (${why}); give its provider a region or set aws:region`, label(unknownOne));
}
