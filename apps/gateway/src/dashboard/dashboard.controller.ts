import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_HTML } from './dashboard.page';

/** The web dashboard: one static page that reads the REST API. */
@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    return DASHBOARD_HTML;
  }
}
