import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { GatewayError } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

interface SchemaEntry {
  readonly name: string;
  readonly id: string;
  readonly title: string;
  readonly schema: unknown;
}

/**
 * The published interface: every JSON Schema in /contracts, so agency engineers can code
 * against exactly what this node validates. Read once at start.
 */
@Controller('api/v1/contracts')
export class ContractsController {
  private readonly schemas: readonly SchemaEntry[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const dir = join(config.contractsDir, 'schemas');
    this.schemas = readdirSync(dir)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()
      .map((file) => {
        const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $id: string; title: string };
        return { name: file.replace(/\.schema\.json$/, ''), id: schema.$id, title: schema.title, schema };
      });
  }

  @Get()
  list(): { items: { name: string; id: string; title: string; href: string }[] } {
    return { items: this.schemas.map((s) => ({ name: s.name, id: s.id, title: s.title, href: `/api/v1/contracts/${s.name}` })) };
  }

  @Get(':name')
  one(@Param('name') name: string): unknown {
    const found = this.schemas.find((s) => s.name === name);
    if (!found) throw new GatewayError('NOT_FOUND', { detail: 'no contract with this name' });
    return found.schema;
  }
}
