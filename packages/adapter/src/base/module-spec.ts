/** A Linear module by its Hugging Face name and shape; all that counting and planning need. */
export interface ModuleSpec {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}
