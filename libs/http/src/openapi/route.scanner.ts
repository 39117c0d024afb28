import { Injectable, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, MODULE_PATH, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { PUBLIC_ROUTE, QUERY_KEY_ROUTE } from '../auth/api-key.guard';
import { ROUTE_INPUT_SCHEMAS, type RouteInputSchemas } from '../validation/zod-validation.pipe';
import { CONTROLLER_TAG, ROUTE_RESPONSES, ROUTE_SUMMARY, type RouteResponse } from './api-docs.decorators';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

/** One route as Nest registers it, with what the API document needs to say about it. */
export interface RouteDescriptor {
  method: HttpMethod;
  /** Nest's form, module prefix included: `/v1/jobs/:jobId`. */
  path: string;
  tag: string;
  operationId: string;
  summary?: string;
  inputs: RouteInputSchemas;
  responses: RouteResponse[];
  /** The status of a success without @ApiResponse: @HttpCode's, else Nest's default (201 for POST). */
  defaultStatus: number;
  /** How the caller authenticates: not at all, with a key header, or also with `?api_key=` (EventSource). */
  auth: 'public' | 'key' | 'key-or-query';
}

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.OPTIONS]: 'options',
};

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]);

/** Joins path fragments as Nest's RoutePathFactory does: one leading slash, no trailing one, no empty segments. */
export function joinRoutePath(...fragments: string[]): string {
  const joined = fragments
    .flatMap((f) => f.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${joined}`;
}

/**
 * Walks the controllers Nest has registered (DiscoveryService) and reads each route's own metadata: its method
 * and path (with the module prefix RouterModule gave it), the input schemas `@ValidBody`/`@ValidQuery` recorded,
 * the answers `@ApiResponse` recorded, and how the API-key guard treats it. No global prefix or URI versioning is
 * used by Conveyor's HTTP services, so none is applied.
 */
@Injectable()
export class RouteScanner {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
  ) {}

  routes(): RouteDescriptor[] {
    const routes: RouteDescriptor[] = [];
    // OpenAPI wants operation ids unique: a method mapped at several paths gets `_2`, `_3`… on its later ones.
    const seen = new Map<string, number>();
    const unique = (id: string) => {
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return n === 1 ? id : `${id}_${n}`;
    };
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller || !wrapper.instance) continue;
      const modulePath = this.modulePathOf(wrapper.host?.metatype);
      const tag: string = Reflect.getMetadata(CONTROLLER_TAG, controller) ?? controller.name.replace(/Controller$/, '');
      const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, object>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name]!;
        const requestMethod: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
        const method = requestMethod === undefined ? undefined : METHODS[requestMethod];
        if (!method || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const meta = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        const auth = meta<boolean>(PUBLIC_ROUTE) ? 'public' : meta<boolean>(QUERY_KEY_ROUTE) ? 'key-or-query' : 'key';
        for (const controllerPath of controllerPaths) {
          for (const methodPath of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({
              method,
              path: joinRoutePath(modulePath, controllerPath, methodPath),
              tag,
              operationId: unique(`${controller.name.replace(/Controller$/, '')}_${name}`),
              summary: Reflect.getMetadata(ROUTE_SUMMARY, handler),
              inputs: Reflect.getMetadata(ROUTE_INPUT_SCHEMAS, handler) ?? {},
              responses: Reflect.getMetadata(ROUTE_RESPONSES, handler) ?? [],
              defaultStatus: Reflect.getMetadata(HTTP_CODE_METADATA, handler) ?? (method === 'post' ? 201 : 200),
              auth,
            });
          }
        }
      }
    }
    return routes;
  }

  /** The prefix RouterModule registered for the controller's module (read as Nest's RoutesResolver reads it). */
  private modulePathOf(module: unknown): string {
    if (typeof module !== 'function') return '';
    return Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, module) ?? Reflect.getMetadata(MODULE_PATH, module) ?? '';
  }
}
