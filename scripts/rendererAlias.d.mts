export declare const rendererAlias: Record<string, string>;
