// Texts of the console in Simplified Chinese (default) and English, and the Chinese conventions
// for numbers and dates (Intl zh-CN, always in Asia/Shanghai whatever the browser's zone).
// @ts-check

/** @typedef {'zh' | 'en'} Lang */
/** @typedef {import('./api.js').Problem} Problem */

const UI = {
  zh: {
    appTitle: '川渝通办 业务控制台', skipToContent: '跳到主要内容', loading: '正在加载…', signOut: '退出',
    signInTitle: '登录', signInHint: '请输入窗口或运维凭证（格式：凭证编号.密钥）。凭证仅保存在本浏览器标签页中。',
    token: '访问凭证', signIn: '登录', signInFailed: '凭证无效或不属于本节点',
    roleWindow: '窗口人员', roleOperator: '运维人员',
    navApply: '受理申请', navSearch: '案件查询', navRoutes: '线路监控', navDead: '死信队列', navAudit: '审计记录',
    navOverdue: '超期案件', navHealth: '节点健康', navKeys: '签名密钥', navCredentials: '访问凭证', navFederation: '联邦配置',
    chooseService: '办理事项', submit: '提交受理', submitting: '正在提交…', reset: '清空',
    noAnswer: '未收到受理系统的答复（网络中断）。请再次点击“提交受理”：本表单的再次提交使用同一受理请求编号，不会重复受理。',
    formHasErrors: '申请未受理，请更正以下 {n} 处问题：', required: '必填',
    addItem: '添加一项', removeItem: '删除此项', item: '第 {n} 项', noServices: '本节点暂无可受理的事项',
    receiptTitle: '受理回执', caseNo: '案件编号', service: '办理事项', kind: '申请类型', acceptedAt: '受理时间',
    acceptedBy: '受理窗口', handledBy: '办理地', applicant: '申请人', idNumber: '身份证号码',
    receiptNote: '凭此回执及案件编号可在川渝任一窗口查询办理进度。', print: '打印回执', viewTimeline: '查看办理进度',
    newApplication: '继续受理', qrAlt: '案件编号二维码：{id}', stamp: '（受理窗口盖章）',
    searchTitle: '案件查询', searchLabel: '案件编号或申请人身份证号码', search: '查询',
    searchHint: '例如 CQ-20261123-7K3F9ZQ2M8，或 18 位身份证号码', searchBad: '请输入案件编号或 18 位身份证号码',
    resultsFor: '申请人 {id} 的案件（共 {n} 件）', noResults: '未查到案件', status: '状态', stage: '当前环节',
    handlingNode: '办理节点', updatedAt: '更新时间', open: '查看',
    reportedAt: '（该方记录为 {time}）', timelineTitle: '办理进度', heldByLabel: '当前办理方', heldBy: '当前由 {node} 办理', timeLimit: '办理时限',
    daysLeft: '剩余 {n} 个工作日（{date} 前办结）', overdueBy: '已超期 {n} 个工作日（应于 {date} 前办结）',
    paused: '暂停计时（等待补正材料），剩余 {n} 个工作日，暂定 {date} 前办结',
    provisional: '（节假日安排未公布，按暂定日历计算）', noLimit: '已办结，不再计时', refresh: '刷新',
    autoRefresh: '办理中，每 3 秒自动刷新', region: '办理地区', agency: '经办机构', side: '处理方',
    routesTitle: '线路监控', lastHour: '最近一小时', lastDay: '最近一天', range: '时间范围',
    circuit: '熔断器', backlog: '积压', perMinute: '每分钟消息数', failures: '失败次数', latency: '平均时延（毫秒）',
    backlogChart: '积压消息数', routePeer: '对端节点 {name}', routeSelf: '本节点内部投递', routeAgency: '经办机构适配器 {name}',
    circuitClosed: '闭合（正常）', circuitOpen: '断开（暂停投递）', 'circuitHalf-open': '半开（试探中）',
    chartMax: '峰值 {v}', noData: '暂无数据', updated: '更新于 {t}',
    deadTitle: '死信队列', state: '状态', destination: '目的地', messageType: '消息类型', reason: '原因', attempts: '尝试次数',
    lastError: '最后错误', createdAt: '创建时间', select: '选择', selectAll: '全选', selectMessage: '选择消息 {id}',
    replayReason: '重放原因', replayReasonHint: '将记入审计记录（至少 3 个字）', replaySelected: '重放所选（{n}）',
    replayOne: '重放', replayProgress: '重放进度', replayDone: '已重放 {ok} 条，跳过 {skipped} 条',
    replayFollow: '重放后的投递情况', noDead: '没有死信', reasonTooShort: '请填写重放原因（至少 3 个字）',
    loadMore: '加载更多', deadShown: '显示 {n} 条，共 {total} 条', replayAllMatching: '全部重放（{n} 条）',
    messageState: '消息状态', filterState: '按状态查看',
    stateDead: '死信', stateRetrying: '重试中', statePending: '待发送', 'stateIn-flight': '发送中', stateDelivered: '已送达',
    auditTitle: '审计记录', at: '时间', operator: '操作人', action: '操作', subject: '对象', detail: '详情',
    actionReplay: '重放', noAudit: '暂无审计记录',
    'action-federation-reloaded': '更换联邦配置', 'action-federation-reload-refused': '拒绝更换联邦配置', 'action-federation-accepted': '启动时接受联邦配置', 'action-envelope-resigned': '按现行密码套件重新签名', unchanged: '未更改',
    overdueTitle: '超期案件', dueSoonTitle: '5 个工作日内到期', noOverdue: '没有超期案件', noDueSoon: '没有即将到期的案件',
    heldSince: '最后变化', role: '本节点角色', roleAccepting: '受理方', roleHandling: '办理方', dueBy: '截止日期', left: '剩余工作日',
    healthTitle: '节点与适配器健康', indicator: '检查项', overall: '总体状态', healthUp: '正常', healthDown: '故障', healthDegraded: '降级',
    healthPeerDown: '对端节点不可达，信封在发件箱中等待', healthAdapterDown: '适配器不可达，移交在发件箱中等待', healthBound: '上限', healthPort: '端口', healthResponseTime: '响应时间（毫秒）',
    hcDatabase: '数据库', hcAgencyAdapter: '经办机构适配器', hcOutbox: '发件箱', hcPeer: '对端节点 {name}',
    keysTitle: '签名密钥', kid: '密钥编号', keyState: '状态', age: '已使用天数', rotateBy: '应轮换日期', keyWarn: '即将到期，请尽快轮换',
    keyOk: '正常', keyStateActive: '使用中', keyStateNext: '待启用', keyStateRetiring: '退役中', keysWarning: '有 {n} 把签名密钥即将到期',
    federationTitle: '联邦配置', federationInForce: '正在使用的联邦配置', federationSerial: '序号', federationIssuedAt: '签发时间',
    federationRules: '访问规则', federationRulesCount: '{n} 条', federationNodes: '成员节点', federationNode: '节点', federationKeys: '签名密钥编号',
    federationAgencies: '经办机构', federationChangeTitle: '更换联邦配置',
    federationChangeIntro: '只接受联邦管理机构签名、且序号不早于正在使用的联邦配置；更换立即生效，无需重启。每次尝试（包括被拒绝的）都记入审计记录。有多个副本时，请逐一更换。',
    federationReason: '更换原因', federationReasonHint: '将记入审计记录（3 至 400 个字）', federationReasonTooShort: '请填写更换原因（至少 3 个字）',
    federationDocument: '签名后的联邦配置（可选）',
    federationDocumentHint: '粘贴联邦管理机构签发的文档（JWS 紧凑格式，三段以“.”分隔）。留空则重新读取本节点 FEDERATION_FILE 处的文件。',
    federationFile: '或从文件读取', federationFileHint: '选择管理机构签发的 .jws 文件，内容将填入上方文本框', federationFileTooLarge: '文件过大（上限 512 KB）',
    federationSubmit: '更换联邦配置', federationChanged: '已更换：序号 {from} → {to}', federationUnchanged: '序号 {serial} 已在使用中，未作更改',
    federationRefused: '未更换，仍使用序号 {serial}：', errorCode: '错误代码',
    credentialsTitle: '访问凭证', credentialsIntro: '停用立即在本副本生效，其他副本最迟 5 秒内生效；重新签发后旧密钥失效，已停用的凭证恢复可用。每次操作都记入审计记录。',
    credentialReason: '操作原因', credentialReasonHint: '将记入审计记录（3 至 400 个字）', credentialReasonTooShort: '请填写操作原因（至少 3 个字）', credentialDays: '有效天数（重新签发时）',
    credentialDaysHint: '留空则按本节点默认有效期', credentialDaysBad: '有效天数应为 1 至 3650 的整数',
    credentialId: '凭证编号', credentialRole: '角色', credentialName: '名称', credentialExpires: '到期时间', credentialLastUsed: '最近使用',
    'credentialState-active': '有效', 'credentialState-expired': '已过期', 'credentialState-disabled': '已停用', credentialNever: '永不过期',
    credentialDisable: '停用', credentialReissue: '重新签发', credentialDisabledDone: '已停用凭证 {id}',
    credentialIssuedTitle: '{id} 的新凭证', credentialIssuedHint: '新凭证仅显示这一次，请立即安全地交给使用者；有效期至 {date}。',
    credentialExpiresSoon: '本凭证将于 {date} 到期，请尽快联系本节点运维人员重新签发。',
    'action-credential-disable': '停用凭证', 'action-credential-reissue': '重新签发凭证',
    errorGeneric: '操作失败：{msg}', forbidden: '当前凭证无权执行此操作', sessionExpired: '凭证已失效，请重新登录',
    yes: '是', no: '否', none: '—',
    calendarTitle: '节假日安排', navCalendar: '节假日安排', calendarYear: '年份', calendarStatus: '来源状态', calendarSource: '依据',
    calendarHolidays: '放假天数', calendarWorkingWeekends: '调休上班天数', calendarPublished: '已发布', calendarProvisional: '暂定',
    calendarComputed: '按法定节假日推算', calendarBuiltIn: '随版本内置', calendarStatutory: '法定节假日（未含调休）',
    calendarIntro: '所有案件的法定办结时限按此日历计算。国务院办公厅每年 11 月前后发布次年节假日安排，发布后请在此录入；未录入的年份仅按周末和法定节假日推算，相关截止日期标为“暂定”。',
    calendarLoadTitle: '录入一年的节假日安排', calendarLoadYear: '年份', calendarLoadSource: '通知文号', calendarLoadSourceHint: '例如：国办发明电〔2027〕X号',
    calendarLoadHolidays: '放假日期', calendarLoadHolidaysHint: '每行一天：日期 名称，例如“2028-01-25 春节”。须包含全部法定节假日。',
    calendarLoadWorking: '调休上班日期', calendarLoadWorkingHint: '每行一天：日期 名称，例如“2028-01-22 春节调休”。须为周六或周日。',
    calendarLoadReason: '录入原因', calendarLoadSubmit: '录入并生效', calendarLoaded: '{year} 年节假日安排已生效', calendarLineInvalid: '第 {n} 行应为“YYYY-MM-DD 名称”',
    calendarWarning: '{year} 年节假日安排尚未录入：跨入 {year} 年的办结时限仅为暂定',
    'action-holidays-loaded': '录入节假日安排', 'action-holidays-load-refused': '节假日安排被拒绝', 'action-holidays-reloaded': '重新读取节假日文件', 'action-holidays-reload-refused': '节假日文件被拒绝',
  },
  en: {
    appTitle: 'Sichuan–Chongqing Services Console', skipToContent: 'Skip to main content', loading: 'Loading…', signOut: 'Sign out',
    signInTitle: 'Sign in', signInHint: 'Enter a window or operator credential (id.secret). It is kept in this browser tab only.',
    token: 'Credential', signIn: 'Sign in', signInFailed: 'The credential is not valid or not of this node',
    roleWindow: 'Window clerk', roleOperator: 'Operator',
    navApply: 'New application', navSearch: 'Find a case', navRoutes: 'Routes', navDead: 'Dead letters', navAudit: 'Audit trail',
    navOverdue: 'Overdue cases', navHealth: 'Health', navKeys: 'Signing keys', navCredentials: 'Credentials', navFederation: 'Federation',
    chooseService: 'Service', submit: 'Submit', submitting: 'Submitting…', reset: 'Clear',
    noAnswer: 'No answer from the gateway (network failure). Submit again: this form is sent again under the same request key, so it is never accepted twice.',
    formHasErrors: 'Not accepted. Please correct these {n} problem(s):', required: 'required',
    addItem: 'Add one', removeItem: 'Remove', item: 'Item {n}', noServices: 'This node offers no service yet',
    receiptTitle: 'Acceptance receipt', caseNo: 'Case number', service: 'Service', kind: 'Kind', acceptedAt: 'Accepted at',
    acceptedBy: 'Accepted by', handledBy: 'Handled by', applicant: 'Applicant', idNumber: 'ID number',
    receiptNote: 'With this case number the case can be followed at any window in Sichuan or Chongqing.', print: 'Print', viewTimeline: 'Follow the case',
    newApplication: 'Next application', qrAlt: 'QR code of case number {id}', stamp: '(window stamp)',
    searchTitle: 'Find a case', searchLabel: 'Case number or applicant ID number', search: 'Search',
    searchHint: 'e.g. CQ-20261123-7K3F9ZQ2M8, or an 18-character ID number', searchBad: 'Enter a case number or an 18-character ID number',
    resultsFor: 'Cases of applicant {id} ({n})', noResults: 'No case found', status: 'Status', stage: 'Stage',
    handlingNode: 'Handling node', updatedAt: 'Updated', open: 'Open',
    reportedAt: '(stamped {time} by its side)', timelineTitle: 'Case timeline', heldByLabel: 'Held by', heldBy: 'Held by {node}', timeLimit: 'Time limit',
    daysLeft: '{n} working day(s) left (due by {date})', overdueBy: 'Overdue by {n} working day(s) (was due by {date})',
    paused: 'Clock paused (waiting for supplementary material): {n} working day(s) left, provisionally due by {date}',
    provisional: '(holiday calendar not yet published: provisional)', noLimit: 'Closed: no longer timed', refresh: 'Refresh',
    autoRefresh: 'In progress: refreshes every 3 s', region: 'Region', agency: 'Agency', side: 'Side',
    routesTitle: 'Routes', lastHour: 'Last hour', lastDay: 'Last day', range: 'Range',
    circuit: 'Circuit', backlog: 'Backlog', perMinute: 'Messages per minute', failures: 'Failures', latency: 'Mean latency (ms)',
    backlogChart: 'Backlog', routePeer: 'Peer node {name}', routeSelf: 'This node (local path)', routeAgency: 'Agency adapter {name}',
    circuitClosed: 'closed (normal)', circuitOpen: 'open (paused)', 'circuitHalf-open': 'half-open (probing)',
    chartMax: 'max {v}', noData: 'no data', updated: 'updated {t}',
    deadTitle: 'Dead letters', state: 'State', destination: 'Destination', messageType: 'Type', reason: 'Reason', attempts: 'Attempts',
    lastError: 'Last error', createdAt: 'Created', select: 'Select', selectAll: 'Select all', selectMessage: 'Select message {id}',
    replayReason: 'Reason for replay', replayReasonHint: 'Kept in the audit trail (3 characters or more)', replaySelected: 'Replay selected ({n})',
    replayOne: 'Replay', replayProgress: 'Replay progress', replayDone: 'Replayed {ok}, skipped {skipped}',
    replayFollow: 'Delivery after replay', noDead: 'No dead letters', reasonTooShort: 'Give a reason (3 characters or more)',
    loadMore: 'Load more', deadShown: 'Showing {n} of {total}', replayAllMatching: 'Replay all ({n})',
    messageState: 'Message state', filterState: 'Show state',
    stateDead: 'dead', stateRetrying: 'retrying', statePending: 'pending', 'stateIn-flight': 'in flight', stateDelivered: 'delivered',
    auditTitle: 'Audit trail', at: 'Time', operator: 'Operator', action: 'Action', subject: 'Subject', detail: 'Detail',
    actionReplay: 'replay', noAudit: 'No audit records',
    'action-federation-reloaded': 'federation changed', 'action-federation-reload-refused': 'federation change refused', 'action-federation-accepted': 'federation accepted at start', 'action-envelope-resigned': 'envelope signed again in the suite in force', unchanged: 'unchanged',
    overdueTitle: 'Overdue cases', dueSoonTitle: 'Due within 5 working days', noOverdue: 'No overdue case', noDueSoon: 'No case due soon',
    heldSince: 'Last change', role: 'Role here', roleAccepting: 'accepting', roleHandling: 'handling', dueBy: 'Due by', left: 'Working days left',
    healthTitle: 'Node and adapter health', indicator: 'Check', overall: 'Overall', healthUp: 'up', healthDown: 'down', healthDegraded: 'degraded',
    healthPeerDown: 'peer not reachable; envelopes wait in the outbox', healthAdapterDown: 'adapter not reachable; hand-overs wait in the outbox', healthBound: 'bound', healthPort: 'port', healthResponseTime: 'response time (ms)',
    hcDatabase: 'Database', hcAgencyAdapter: 'Agency adapter', hcOutbox: 'Outbox', hcPeer: 'Peer node {name}',
    keysTitle: 'Signing keys', kid: 'Key id', keyState: 'State', age: 'Age (days)', rotateBy: 'Rotate by', keyWarn: 'Expiring: rotate soon',
    keyOk: 'ok', keyStateActive: 'active', keyStateNext: 'next', keyStateRetiring: 'retiring', keysWarning: '{n} signing key(s) expiring soon',
    federationTitle: 'Federation', federationInForce: 'Federation in force', federationSerial: 'Serial', federationIssuedAt: 'Issued at',
    federationRules: 'Access rules', federationRulesCount: '{n}', federationNodes: 'Member nodes', federationNode: 'Node', federationKeys: 'Signing key ids',
    federationAgencies: 'Agencies', federationChangeTitle: 'Change the federation',
    federationChangeIntro: 'Only a document the federation authority signed, with a serial not older than the one in force, is accepted; it applies at once, without a restart. Every attempt, refused ones too, goes into the audit trail. With several replicas, change each.',
    federationReason: 'Reason for the change', federationReasonHint: 'Kept in the audit trail (3 to 400 characters)', federationReasonTooShort: 'Give a reason (3 characters or more)',
    federationDocument: 'Signed federation (optional)',
    federationDocumentHint: "Paste the document the federation authority issued (compact JWS: three parts separated by '.'). Leave empty to read the file at this node's FEDERATION_FILE again.",
    federationFile: 'Or read it from a file', federationFileHint: 'Choose the .jws file the authority issued; its text fills the box above', federationFileTooLarge: 'The file is too large (512 KB at most)',
    federationSubmit: 'Change the federation', federationChanged: 'Changed: serial {from} → {to}', federationUnchanged: 'Serial {serial} is already in force: nothing changed',
    federationRefused: 'Not changed, serial {serial} stays in force:', errorCode: 'Error code',
    credentialsTitle: 'Credentials', credentialsIntro: 'Disabling applies at once on this replica and within 5 seconds on the others; reissuing replaces the secret and enables a disabled credential again. Every action goes into the audit trail.',
    credentialReason: 'Reason', credentialReasonHint: 'Kept in the audit trail (3 to 400 characters)', credentialReasonTooShort: 'Give a reason (3 characters or more)', credentialDays: 'Valid for (days, when reissuing)',
    credentialDaysHint: "Leave empty for this node's default lifetime", credentialDaysBad: 'Days must be a whole number from 1 to 3650',
    credentialId: 'Credential id', credentialRole: 'Role', credentialName: 'Name', credentialExpires: 'Expires', credentialLastUsed: 'Last used',
    'credentialState-active': 'active', 'credentialState-expired': 'expired', 'credentialState-disabled': 'disabled', credentialNever: 'never',
    credentialDisable: 'Disable', credentialReissue: 'Reissue', credentialDisabledDone: 'Credential {id} disabled',
    credentialIssuedTitle: 'New credential for {id}', credentialIssuedHint: 'Shown this once: hand it over safely now. Valid until {date}.',
    credentialExpiresSoon: 'This credential expires on {date}: ask an operator of this node to reissue it soon.',
    'action-credential-disable': 'credential disabled', 'action-credential-reissue': 'credential reissued',
    errorGeneric: 'Failed: {msg}', forbidden: 'This credential may not do that', sessionExpired: 'The credential is no longer valid; sign in again',
    yes: 'yes', no: 'no', none: '—',
    calendarTitle: 'Holiday calendar', navCalendar: 'Holidays', calendarYear: 'Year', calendarStatus: 'Status', calendarSource: 'Source',
    calendarHolidays: 'Days off', calendarWorkingWeekends: 'Working weekends', calendarPublished: 'published', calendarProvisional: 'provisional',
    calendarComputed: 'computed from statutory holidays', calendarBuiltIn: 'built into the release', calendarStatutory: 'statutory holidays (no 调休)',
    calendarIntro: "Every case's statutory limit is counted on this calendar. The State Council publishes next year's arrangement around November: load it here. A year not loaded is counted on weekends and statutory holidays only, and due dates reaching it are marked provisional.",
    calendarLoadTitle: "Load a year's arrangement", calendarLoadYear: 'Year', calendarLoadSource: 'Notice number', calendarLoadSourceHint: 'e.g. 国办发明电〔2027〕X号',
    calendarLoadHolidays: 'Days off', calendarLoadHolidaysHint: "One day a line: date name, e.g. '2028-01-25 春节'. Every statutory holiday must be there.",
    calendarLoadWorking: 'Adjusted working days', calendarLoadWorkingHint: "One day a line: date name, e.g. '2028-01-22 春节调休'. Saturdays or Sundays only.",
    calendarLoadReason: 'Reason', calendarLoadSubmit: 'Load and apply', calendarLoaded: 'The {year} arrangement is in force', calendarLineInvalid: "Line {n} should read 'YYYY-MM-DD name'",
    calendarWarning: "The {year} holiday arrangement is not loaded: limits running into {year} are provisional",
    'action-holidays-loaded': 'holiday arrangement loaded', 'action-holidays-load-refused': 'holiday arrangement refused', 'action-holidays-reloaded': 'holiday file read again', 'action-holidays-reload-refused': 'holiday file refused',
  },
};

/** Province nodes. */
/** @type {Record<string, Record<Lang, string>>} */
const NODES = { SC: { zh: '四川', en: 'Sichuan' }, CQ: { zh: '重庆', en: 'Chongqing' } };

/** Services: names for the service picker and receipts (the schema title is the fallback). */
/** @type {Record<string, Record<Lang, string>>} */
const SERVICES = {
  'ssc.apply': { zh: '社会保障卡申领／补领／换领', en: 'Social security card: new, reissue, replacement' },
  'ssc.loss': { zh: '社会保障卡挂失', en: 'Social security card: loss report' },
  'medical.filing': { zh: '异地就医备案', en: 'Medical treatment elsewhere: filing' },
  'pension.qualification': { zh: '养老保险待遇领取资格认证', en: 'Pension: qualification check' },
  'pension.death-benefit': { zh: '丧葬补助金和抚恤金申领', en: 'Pension: death benefit' },
  'death-benefit': { zh: '丧葬补助金和抚恤金申领', en: 'Death benefit' },
  'pension.transfer': { zh: '养老保险关系转移接续', en: 'Pension: transfer between provinces' },
};

/**
 * Chinese labels by field path (array indexes dropped: `materials.type`), used when a schema
 * property has no `title`. Services added later bring their own titles or are added here.
 */
/** @type {Record<string, [string, string]>} */
const FIELDS = {
  service: ['办理事项', 'Service'],
  kind: ['申请类型', 'Kind'],
  applicant: ['申请人', 'Applicant'],
  'applicant.idNumber': ['身份证号码', 'ID number'],
  'applicant.name': ['姓名', 'Name'],
  'applicant.phone': ['联系电话', 'Phone'],
  issuingRegion: ['发卡地区（行政区划代码）', 'Card-issuing region (GB/T 2260 code)'],
  deliveryAddress: ['邮寄地址', 'Delivery address'],
  'deliveryAddress.region': ['邮寄地区（行政区划代码）', 'Region (GB/T 2260 code)'],
  'deliveryAddress.line': ['详细地址', 'Address line'],
  'deliveryAddress.postcode': ['邮政编码', 'Postcode'],
  photoRef: ['照片编号', 'Photo reference'],
  materials: ['申请材料', 'Materials'],
  'materials.type': ['材料类型', 'Material type'],
  'materials.sha256': ['材料摘要（SHA-256）', 'Material digest (SHA-256)'],
  reason: ['原因', 'Reason'],
  note: ['备注', 'Note'],
  region: ['地区（行政区划代码）', 'Region (GB/T 2260 code)'],
  insuredRegion: ['参保地区（行政区划代码）', 'Insured region (GB/T 2260 code)'],
  hospitalRegion: ['就医地区（行政区划代码）', 'Treatment region (GB/T 2260 code)'],
  startDate: ['开始日期', 'Start date'],
  endDate: ['结束日期', 'End date'],
  deceased: ['逝者', 'Deceased'],
  'deceased.idNumber': ['逝者身份证号码', 'ID number of the deceased'],
  'deceased.name': ['逝者姓名', 'Name of the deceased'],
  dateOfDeath: ['死亡日期', 'Date of death'],
  fromRegion: ['转出地区（行政区划代码）', 'From region (GB/T 2260 code)'],
  toRegion: ['转入地区（行政区划代码）', 'To region (GB/T 2260 code)'],
};

/** Labels of enum values, by value (shared across services). */
/** @type {Record<string, [string, string]>} */
const VALUES = {
  new: ['首次申领', 'New card'],
  'reissue-after-loss': ['挂失补领', 'Reissue after loss'],
  'replace-damaged': ['损坏换领', 'Replace a damaged card'],
  renew: ['到期换领', 'Renewal'],
  'in-progress': ['办理中', 'in progress'],
  completed: ['已办结', 'completed'],
  rejected: ['未通过', 'rejected'],
  withdrawn: ['已撤回', 'withdrawn'],
  accepting: ['受理方', 'accepting'],
  handling: ['办理方', 'handling'],
};

/** @type {Record<string, [string, string]>} */
const STAGES = {
  submitted: ['窗口受理', 'submitted at the window'], forwarded: ['已转送办理地', 'forwarded'], received: ['办理地已接收', 'received'],
  'agency-received': ['经办机构已接收', 'at the agency'], accepted: ['经办机构受理', 'accepted'], 'not-accepted': ['不予受理', 'not accepted'],
  'in-review': ['审核中', 'in review'], 'supplement-requested': ['需补正材料', 'supplement requested'],
  'supplement-supplied': ['已补正材料', 'supplement supplied'], approved: ['审批通过', 'approved'], rejected: ['未通过', 'rejected'],
  dispatched: ['已送达', 'dispatched'], completed: ['办结', 'completed'], 'withdrawal-requested': ['申请撤回', 'withdrawal requested'],
  'withdrawal-refused': ['撤回未获同意', 'withdrawal refused'], withdrawn: ['已撤回', 'withdrawn'],
  'eligibility-check': ['资格审核', 'eligibility check'], 'in-production': ['制卡中', 'card in production'], produced: ['制卡完成', 'card produced'],
  mailed: ['已寄出', 'mailed'], collected: ['已领取', 'collected'], 'loss-reported': ['已挂失', 'loss reported'], unblocked: ['已解挂', 'unblocked'],
  'loss-expired': ['挂失失效', 'loss report expired'], filed: ['已备案', 'filed'], effective: ['备案生效', 'effective'], changed: ['备案变更', 'changed'],
  cancelled: ['备案取消', 'cancelled'], authenticated: ['认证通过', 'authenticated'], 'authentication-failed': ['认证未通过', 'authentication failed'],
  'payment-suspended': ['暂停发放', 'payment suspended'], 'payment-resumed': ['恢复发放', 'payment resumed'],
  'relation-ended': ['终止参保关系', 'insurance ended'], 'benefit-paid': ['待遇已支付', 'benefit paid'],
};

/** Chinese wording of the API's field codes, for messages the API gives only in English. */
/** @type {Record<string, string>} */
const FIELD_CODES = {
  REQUIRED: '此项为必填项', UNKNOWN_FIELD: '不允许的字段', NOT_ALLOWED_VALUE: '不在可选范围内', NOT_A_STRING: '应为文字',
  NOT_AN_INTEGER: '应为整数', NOT_AN_ARRAY: '应为列表', NOT_AN_OBJECT: '格式不正确', TOO_LONG: '内容过长', TOO_SHORT: '内容过短',
  BAD_FORMAT: '格式不正确', TOO_MANY: '项目过多', TOO_FEW: '项目过少', NOT_A_DATE: '日期格式不正确', NOT_A_UUID: '编号格式不正确',
  ID_NUMBER_INVALID: '身份证号码不符合 GB 11643（校验位错误或日期无效）', REGION_UNKNOWN: '行政区划代码未知',
  REGION_NOT_SERVED: '办理地不在四川或重庆', SERVICE_UNKNOWN: '本节点不办理此事项',
};

/** @type {Record<string, string>} */
const ERROR_CODES = {
  UNAUTHENTICATED: '凭证无效', FORBIDDEN: '无权执行此操作', CASE_NOT_FOUND: '未找到该案件', NOT_FOUND: '未找到',
  RATE_LIMITED: '请求过于频繁，请稍后再试', OVERLOADED: '系统繁忙，请稍后再试', VALIDATION_FAILED: '提交的内容有误',
  IDEMPOTENCY_KEY_REUSED: '本表单此前的提交已被受理（答复未送达），内容已改动：请先在“案件查询”中核对，勿重复受理',
  IDEMPOTENCY_KEY_IN_FLIGHT: '上一次提交仍在处理中，请稍候', IDEMPOTENCY_KEY_INVALID: '受理请求编号无效',
  FEDERATION_SIGNATURE_INVALID: '联邦配置没有联邦管理机构的有效签名', FEDERATION_ROLLBACK: '联邦配置的序号早于正在使用的序号，不能回退',
  CONFIG_INVALID: '节点配置有误（联邦配置文件或管理机构公钥无法使用）',
  AUTH_LOCKED_OUT: '验证失败次数过多，请稍后再试', CREDENTIAL_EXPIRED: '凭证已过期，请联系运维人员重新签发',
  CREDENTIAL_DISABLED: '凭证已被运维人员停用', CREDENTIAL_NOT_FOUND: '本节点没有该凭证',
};

/** @type {Lang} */
let lang = sessionStorage.getItem('cytb.lang') === 'en' ? 'en' : 'zh';

export function getLang() {
  return lang;
}

/** @param {string} next */
export function setLang(next) {
  lang = next === 'en' ? 'en' : 'zh';
  sessionStorage.setItem('cytb.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** @typedef {keyof typeof UI.zh} UiKey */
/** @type {Record<Lang, Record<string, string | undefined>>} */
const texts = { zh: UI.zh, en: /** @satisfies {Record<UiKey, string>} */ (UI.en) }; // every Chinese text has its English

/**
 * A UI text with {placeholders} filled. A literal key must be one of the Chinese texts (a typo
 * reads "not assignable to parameter of type 'never'"); a computed key is checked at run time
 * only, and shows as itself when unknown.
 * @template {string} K
 * @param {K & (string extends K ? unknown : UiKey)} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const text = texts[lang][key] ?? texts.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

const pick = (/** @type {[string, string]} */ pair) => (lang === 'zh' ? pair[0] : pair[1]);

/** @param {string | null | undefined} code */
export function nodeName(code) {
  return NODES[code ?? '']?.[lang] ?? code ?? '';
}

/**
 * @param {string | null} code
 * @param {string} [fallback]
 */
export function serviceName(code, fallback) {
  return SERVICES[code ?? '']?.[lang] ?? fallback ?? code;
}

/**
 * The label of a form field: the schema's `title` (Chinese), else the dictionary, else the path.
 * @param {string} path
 * @param {string | undefined} title
 */
export function fieldLabel(path, title) {
  const key = path.replace(/\[\d+\]/g, '');
  if (lang === 'zh' && title) return title;
  const entry = FIELDS[key];
  if (entry) return pick(entry);
  return title ?? key.split('.').pop();
}

/** @param {unknown} value */
export function valueLabel(value) {
  return VALUES[String(value)] ? pick(VALUES[String(value)]) : String(value);
}

/** @param {string} stage */
export function stageLabel(stage) {
  return STAGES[stage] ? pick(STAGES[stage]) : stage;
}

/**
 * The message shown next to a field: in Chinese, the Chinese part of the API's message (its
 * messages read "中文 (English)"), else the Chinese wording of its code; in English, the English.
 * @param {Problem} problem
 */
export function problemMessage(problem) {
  const message = problem.message ?? '';
  const bilingual = /^(.*?[\u4e00-\u9fff].*?)\s*\((.+)\)\s*$/.exec(message);
  if (lang === 'zh') {
    if (bilingual) return bilingual[1];
    if (/[\u4e00-\u9fff]/.test(message)) return message;
    return FIELD_CODES[problem.code ?? ''] ?? ERROR_CODES[problem.code ?? ''] ?? message;
  }
  if (bilingual) return bilingual[2];
  return message;
}

/**
 * A whole problem (not tied to a field) for a toast or an alert.
 * @param {Problem} problem
 */
export function errorText(problem) {
  if (lang === 'zh') return ERROR_CODES[problem.code ?? ''] ?? FIELD_CODES[problem.code ?? ''] ?? problem.title ?? problem.code ?? '';
  return problem.detail ?? problem.title ?? problem.code ?? '';
}

// ── Chinese conventions: Intl zh-CN, Asia/Shanghai ──────────────────────────────────────────

const ZONE = 'Asia/Shanghai';
const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');

/** @param {string | number | null | undefined} iso */
export function formatDateTime(iso) {
  if (!iso) return t('none');
  return new Intl.DateTimeFormat(locale(), {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(new Date(iso));
}

/**
 * Hour and minute in Shanghai; with `withDate`, the month and day too (for spans over a day).
 * @param {string} iso
 */
export function formatTime(iso, withDate = false) {
  /** @type {Intl.DateTimeFormatOptions} */
  const date = withDate ? { month: 'numeric', day: 'numeric' } : {};
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, ...date, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

/**
 * A calendar day (YYYY-MM-DD, already a Shanghai date) as 2026年12月25日.
 * @param {string | null | undefined} day
 */
export function formatDay(day) {
  if (!day) return t('none');
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

/**
 * @param {number | null | undefined} n
 * @param {number} [digits]
 */
export function formatNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('none');
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
}
